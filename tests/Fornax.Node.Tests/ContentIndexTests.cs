using System.Text.Json.Nodes;
using Fornax.Node.Missions;
using Fornax.Store;

namespace Fornax.Node.Tests;

public sealed class ContentIndexTests
{
    private static readonly ObjectKey A = new("Mission", "default", "a");
    private static readonly ObjectKey B = new("Mission", "default", "b");
    private static readonly ObjectKey X = new("ConfigMap", "default", "x");
    private static readonly ObjectKey Y = new("ConfigMap", "default", "y");

    [Fact]
    public void Set_OwnersAssignedMovedAndCleared_OwnedFollows()
    {
        var index = new ContentIndex();
        index.Set(X, A);
        index.Set(Y, A);
        index.Set(X, A);
        Assert.Equal([X, Y], index.Owned(A).OrderBy(k => k.Name));

        index.Set(X, B);
        Assert.Equal([Y], index.Owned(A));
        Assert.Equal([X], index.Owned(B));

        index.Set(Y, null);
        index.Set(X, null);
        Assert.Empty(index.Owned(A));
        Assert.Empty(index.Owned(B));
    }

    private static StoredObject Note(long resourceVersion, long generation, string labels, string status) => new(X, resourceVersion, generation,
        JsonNode.Parse("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"namespace\":\"default\",\"resourceVersion\":" + resourceVersion
            + ",\"labels\":{" + labels + "},\"annotations\":{\"fornax.io/mission\":\"default/a\"}},\"data\":{\"m\":\"1\"},\"status\":{" + status + "}}")!.AsObject());

    [Fact]
    public void OnlyStatusChanged_TrueForAStatusOrVersionChange_FalseForAnyOtherAndTheFirstSight()
    {
        var index = new ContentIndex();
        index.Set(X, A);

        Assert.False(index.OnlyStatusChanged(Note(1, 1, "", "")));                   // first sight
        Assert.True(index.OnlyStatusChanged(Note(2, 1, "", "\"keys\":1")));          // status written
        Assert.True(index.OnlyStatusChanged(Note(3, 1, "", "\"keys\":2")));
        Assert.False(index.OnlyStatusChanged(Note(4, 2, "", "\"keys\":2")));         // spec changed: generation raised
        Assert.False(index.OnlyStatusChanged(Note(5, 2, "\"tier\":\"edge\"", ""))); // a label added (generation stays)
        Assert.True(index.OnlyStatusChanged(Note(6, 2, "\"tier\":\"edge\"", "")));

        index.Set(X, null); // gone: seen again, it is a first sight
        index.Set(X, A);
        Assert.False(index.OnlyStatusChanged(Note(7, 2, "\"tier\":\"edge\"", "")));
    }
}
