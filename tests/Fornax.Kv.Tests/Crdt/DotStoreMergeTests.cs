using CsCheck;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Tests.Crdt;

/// <summary>
/// <see cref="DotStore.Merge{T}"/> against its definition (an entry survives when both sides hold it, or when the other
/// side has not seen it; the result in dot order), and the joins it answers without a copy.
/// </summary>
public sealed class DotStoreMergeTests
{
    private static readonly Gen<Dot> Dots = Gen.Select(Gen.ULong[1, 3], Gen.Long[1, 12], (replica, hlc) => new Dot(replica, hlc));

    /// <summary>A replica's view: the dots its clock covers (observed), and the entries still present among them.</summary>
    private static readonly Gen<(VersionVector Clock, AddDot[] Entries)> Sides =
        Gen.Select(Dots.Array[0, 6], Gen.Int, (observed, seed) =>
        {
            var clock = new VersionVector();
            foreach (var dot in observed)
            {
                clock.Observe(dot);
            }

            // Present entries: a random subset of distinct dots the clock covers, in any order (a peer's may not be sorted).
            var random = new Random(seed);
            var entries = observed.Distinct().Where(_ => random.Next(3) > 0).Select(d => new AddDot(d)).ToArray();
            random.Shuffle(entries);
            return (clock, entries);
        });

    [Fact]
    public void Merge_IsItsDefinition_InDotOrder()
    {
        Gen.Select(Sides, Sides).Sample((a, b) =>
        {
            var mine = a.Entries.OrderBy(e => e.Stamp).ToArray(); // this site's stores are canonical
            var joined = DotStore.Merge(mine, a.Clock, b.Entries, b.Clock);

            var expected = mine.Where(e => b.Entries.Contains(e) || !b.Clock.Covers(e.Stamp))
                .Concat(b.Entries.Where(e => !mine.Contains(e) && !a.Clock.Covers(e.Stamp)))
                .OrderBy(e => e.Stamp)
                .ToArray();
            Assert.Equal(expected, joined);
        });
    }

    [Fact]
    public void Merge_ThatIsEitherSide_ReturnsThatSide_WithoutACopy()
    {
        var clock1 = new VersionVector();
        clock1.Observe(new Dot(1, 5));
        AddDot[] mine = [new(new Dot(1, 5))];

        // Theirs saw mine's entry and replaced it with its own later one: the join is theirs, the same array.
        var clock2 = clock1.Clone();
        clock2.Observe(new Dot(2, 9));
        AddDot[] theirs = [new(new Dot(2, 9))];
        Assert.Same(theirs, DotStore.Merge(mine, clock1, theirs, clock2));

        // And merged back the other way, nothing of the older side survives or is added: the join is mine (now theirs).
        Assert.Same(theirs, DotStore.Merge(theirs, clock2, mine, clock1));

        // Concurrent entries (neither clock covers the other's): a new array holding both, in dot order.
        var other = new VersionVector();
        other.Observe(new Dot(3, 2));
        AddDot[] concurrent = [new(new Dot(3, 2))];
        var both = DotStore.Merge(mine, clock1, concurrent, other);
        Assert.Equal([new AddDot(new Dot(3, 2)), new AddDot(new Dot(1, 5))], both);
    }

    [Fact]
    public void Merge_OfTheirsOutOfDotOrder_IsStillInDotOrder()
    {
        var clock = new VersionVector();
        clock.Observe(new Dot(1, 7));
        clock.Observe(new Dot(2, 3));
        AddDot[] theirs = [new(new Dot(1, 7)), new(new Dot(2, 3))];

        var joined = DotStore.Merge([], new VersionVector(), theirs, clock);

        Assert.Equal([new AddDot(new Dot(2, 3)), new AddDot(new Dot(1, 7))], joined);
    }
}
