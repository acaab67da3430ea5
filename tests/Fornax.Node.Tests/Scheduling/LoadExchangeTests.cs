using Fornax.Hierarchy.Links.Protocol;
using Fornax.Node.Hosting;
using Fornax.Node.Scheduling;
using Fornax.Node.Sites;
using Fornax.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Node.Tests.Scheduling;

/// <summary>The load figures on the links at region <c>a/r</c>: who may speak for which sites, and what is dropped.</summary>
public sealed class LoadExchangeTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LoadBoard _board;
    private readonly LoadExchange _exchange;

    public LoadExchangeTests()
    {
        var options = new SchedulingOptions { Capacity = 4, TimeProvider = _time, StaleAfter = TimeSpan.FromSeconds(10) };
        _board = new LoadBoard(options);
        var site = new LocalSite(new NodeOptions { DataDirectory = "unused", Name = "r" }, parent: "a", parentPath: "a");
        _exchange = new LoadExchange(ILoadTracker.Create(options), _board, site);
    }

    private static SiteLoadFigures Figure(int capacity = 2, double stable = 1, long ageMs = 0) =>
        new() { Capacity = capacity, InFlight = 1, Stable = stable, Panic = stable, AgeMs = ageMs };

    private static LoadFigures Figures(params (string Path, SiteLoadFigures Figure)[] sites)
    {
        var figures = new LoadFigures();
        foreach (var (path, figure) in sites)
        {
            figures.Sites[path] = figure;
        }

        return figures;
    }

    [Fact]
    public void FromChild_OnlyItsSubtree_AndOnlyFiguresThatMakeSense()
    {
        _exchange.FromChild("a/r/e1", Figures(
            ("a/r/e1", Figure()),
            ("a/r/e1/x", Figure(ageMs: 2000)),
            ("a/r/e2", Figure()),               // a sibling's: not e1's to say
            ("a/r", Figure()),                  // this site's own
            ("a", Figure()),
            ("a/r/e1/bad", Figure(capacity: 0)),
            ("a/r/e1/nan", Figure(stable: double.NaN))));

        Assert.Equal(["a/r/e1", "a/r/e1/x"], _board.FreshSites().Select(s => s.SitePath).Order());
        Assert.Equal(TimeSpan.FromSeconds(2), _board.Get("a/r/e1/x")!.Value.Age);
    }

    [Fact]
    public void FromParent_OnlyOutsideThisSubtree()
    {
        _exchange.FromParent(Figures(("a", Figure()), ("a/q", Figure()), ("a/r", Figure()), ("a/r/e1", Figure())));

        Assert.Equal(["a", "a/q"], _board.FreshSites().Select(s => s.SitePath).Order());
    }

    [Fact]
    public void ForChild_ThisSiteAndEverythingOutsideTheChild_WithAgesGrown()
    {
        _exchange.FromParent(Figures(("a", Figure(ageMs: 1000))));
        _exchange.FromChild("a/r/e1", Figures(("a/r/e1", Figure())));
        _exchange.FromChild("a/r/e2", Figures(("a/r/e2", Figure())));
        _time.Advance(TimeSpan.FromSeconds(3));

        var toE1 = _exchange.ForChild("a/r/e1");
        var toParent = _exchange.ForParent();

        Assert.Equal(["a", "a/r", "a/r/e2"], toE1.Sites.Keys.Order());
        Assert.Equal(4000, toE1.Sites["a"].AgeMs);
        Assert.Equal((4, 0L), (toE1.Sites["a/r"].Capacity, toE1.Sites["a/r"].AgeMs));
        Assert.Equal(["a/r", "a/r/e1", "a/r/e2"], toParent.Sites.Keys.Order());
    }

    [Fact]
    public void Figures_PastStaleAfter_AreNotPassedOn()
    {
        _exchange.FromChild("a/r/e1", Figures(("a/r/e1", Figure(ageMs: 9000))));
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(["a/r"], _exchange.ForParent().Sites.Keys);
    }
}
