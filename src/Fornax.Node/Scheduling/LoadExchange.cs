using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Scheduling;

namespace Fornax.Node.Scheduling;

/// <summary>
/// This site's side of the load figures on the links (<see cref="ILoadExchange"/>): its own figures from the tracker,
/// everyone else's from the board. What a peer says is bounded and checked: a child speaks only for its subtree, the
/// parent only for the rest, and a figure that makes no sense (no slots, negative or not-a-number counts) is dropped.
/// </summary>
internal sealed class LoadExchange(ILoadTracker tracker, LoadBoard board, LocalSite site) : ILoadExchange
{
    /// <summary>Functions per site a peer may report; more is a hostile or broken peer, and the rest is ignored.</summary>
    private const int MaxFunctionsPerSite = 1024;

    public LoadFigures ForParent() => Figures(path => TreePaths.IsAtOrUnder(path, site.Path));

    public LoadFigures ForChild(string childPath) => Figures(path => !TreePaths.IsAtOrUnder(path, childPath));

    public void FromParent(LoadFigures figures) => Take(figures, path => !TreePaths.IsAtOrUnder(path, site.Path));

    public void FromChild(string childPath, LoadFigures figures) => Take(figures, path => TreePaths.IsAtOrUnder(path, childPath));

    private LoadFigures Figures(Func<string, bool> include)
    {
        var figures = new LoadFigures();
        figures.Sites[site.Path] = ToProto(tracker.Snapshot(), TimeSpan.Zero);
        foreach (var (path, load, age) in board.FreshSites())
        {
            if (path != site.Path && include(path))
            {
                figures.Sites[path] = ToProto(load, age);
            }
        }

        return figures;
    }

    private void Take(LoadFigures figures, Func<string, bool> allowed)
    {
        foreach (var (path, figure) in figures.Sites)
        {
            if (path != site.Path && allowed(path) && FromProto(figure) is { } load)
            {
                board.Put(path, load, TimeSpan.FromMilliseconds(figure.AgeMs));
            }
        }
    }

    internal static SiteLoadFigures ToProto(SiteLoad load, TimeSpan age)
    {
        var figure = new SiteLoadFigures
        {
            Capacity = load.Capacity,
            InFlight = load.InFlight,
            Queued = load.Queued,
            Stable = load.Stable,
            Panic = load.Panic,
            Panicking = load.Panicking,
            AgeMs = (long)age.TotalMilliseconds,
        };
        foreach (var (name, function) in load.Functions)
        {
            figure.Functions[name] = new FunctionLoadFigures
            {
                InFlight = function.InFlight,
                ServiceTimeMicros = function.ServiceTime is { } service ? Math.Max(1, (long)(service.Ticks / TimeSpan.TicksPerMicrosecond)) : 0,
            };
        }

        return figure;
    }

    internal static SiteLoad? FromProto(SiteLoadFigures figure)
    {
        static bool Count(double value) => double.IsFinite(value) && value >= 0;
        if (figure.Capacity < 1 || figure.InFlight < 0 || figure.Queued < 0 || !Count(figure.Stable) || !Count(figure.Panic)
            || figure.AgeMs < 0 || figure.Functions.Count > MaxFunctionsPerSite)
        {
            return null;
        }

        var functions = new Dictionary<string, FunctionLoad>(figure.Functions.Count, StringComparer.Ordinal);
        foreach (var (name, function) in figure.Functions)
        {
            if (function.InFlight >= 0 && function.ServiceTimeMicros >= 0)
            {
                functions[name] = new FunctionLoad(function.InFlight, function.ServiceTimeMicros > 0 ? TimeSpan.FromMicroseconds(function.ServiceTimeMicros) : null);
            }
        }

        return new SiteLoad(figure.Capacity, figure.InFlight, figure.Queued, figure.Stable, figure.Panic, figure.Panicking, functions);
    }
}
