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
}
