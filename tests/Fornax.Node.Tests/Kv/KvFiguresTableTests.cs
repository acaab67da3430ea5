using Fornax.Hierarchy.Links.Protocol;
using Fornax.Node.Kv;

namespace Fornax.Node.Tests.Kv;

/// <summary>The KV figures a site keeps of its subtree: a forgotten subtree leaves them, and its removal travels up.</summary>
public sealed class KvFiguresTableTests
{
    private static KvSiteFigures Holding(long keys) =>
        new() { Keyspaces = { new KvKeyspaceFigures { Prefix = "cart:", Replica = true, Reason = "placement", Keys = keys } } };

    /// <summary>Region a/r, which heard from its child a/r/e1 about e1 and e1's child cam.</summary>
    private static KvFiguresTable Region()
    {
        var table = new KvFiguresTable();
        table.Set("a/r", Holding(1));
        var report = new KvFigures();
        report.Sites["a/r/e1"] = Holding(2);
        report.Sites["a/r/e1/cam"] = Holding(3);
        report.Sites["a/r/e10"] = Holding(4); // not under a/r/e1 (a sibling whose name starts the same): ignored
        table.FromChild("a/r/e1", report);
        return table;
    }

    [Fact]
    public void RemoveSubtree_DropsTheSiteAndItsSubtree_AndTheParentIsToldOnce()
    {
        var table = Region();
        var before = table.Version;
        Assert.Equal(["a/r", "a/r/e1", "a/r/e1/cam"], table.Snapshot().Select(s => s.Path).Order());

        table.RemoveSubtree("a/r/e1");

        Assert.Equal(["a/r"], table.Snapshot().Select(s => s.Path));
        var up = table.ForParent(before, out var upTo);
        Assert.NotNull(up);
        Assert.Empty(up.Sites);
        Assert.Equal(["a/r/e1", "a/r/e1/cam"], up.Removed.Order());
        Assert.Null(table.ForParent(upTo, out _));

        // A new stream (from version 0) carries the removal too, so a parent that missed it while the link was down drops them.
        Assert.Equal(["a/r/e1", "a/r/e1/cam"], table.ForParent(0, out _)!.Removed.Order());
    }

    [Fact]
    public void RemoveSubtree_OfASiteWithNoFigures_ChangesNothing()
    {
        var table = Region();
        var version = table.Version;

        table.RemoveSubtree("a/r/e2");

        Assert.Equal(version, table.Version);
        Assert.Null(table.ForParent(version, out _));
    }

    [Fact]
    public void FromChild_RemovedUnderIt_IsDropped_ItselfASiblingOrAnAncestor_IsIgnored()
    {
        var cloud = new KvFiguresTable();
        var report = new KvFigures();
        report.Sites["a/r"] = Holding(1);
        report.Sites["a/r/e1"] = Holding(2);
        report.Sites["a/r/e1/cam"] = Holding(3);
        cloud.FromChild("a/r", report);
        cloud.Set("a/q", Holding(5)); // another child's site

        var removal = new KvFigures { Removed = { "a/r/e1/cam", "a/r", "a/q", "a" } };
        cloud.FromChild("a/r", removal);

        Assert.Equal(["a/q", "a/r", "a/r/e1"], cloud.Snapshot().Select(s => s.Path).Order());
    }

    [Fact]
    public void ASiteSeenAgainAfterItsRemoval_IsBack_AndNoLongerSentAsRemoved()
    {
        var table = Region();
        table.RemoveSubtree("a/r/e1/cam");
        var afterRemoval = table.Version;

        table.FromChild("a/r/e1", new KvFigures { Sites = { ["a/r/e1/cam"] = Holding(7) } });

        Assert.Contains(table.Snapshot(), s => s.Path == "a/r/e1/cam" && s.Figures.Keyspaces[0].Keys == 7);
        var up = table.ForParent(0, out _)!;
        Assert.Empty(up.Removed);
        Assert.True(table.ForParent(afterRemoval, out _)!.Sites.ContainsKey("a/r/e1/cam"));
    }
}
