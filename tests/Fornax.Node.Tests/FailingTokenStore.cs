using Fornax.Hierarchy.Identity;

namespace Fornax.Node.Tests;

/// <summary>A token store whose writes fail as the disk under it would: with the errno in HResult, as .NET reports it.</summary>
internal sealed class FailingTokenStore(int errno, string message) : ITokenStore
{
    public const int Enospc = 28;
    public const int Eio = 5;

    private readonly InMemoryTokenStore _inner = new();

    public ValueTask AddAsync(StoredToken token, CancellationToken cancellationToken = default) => throw new IOException(message, errno);

    public ValueTask<StoredToken?> FindAsync(string id, CancellationToken cancellationToken = default) => _inner.FindAsync(id, cancellationToken);

    public ValueTask<bool> TryMarkUsedAsync(string id, DateTimeOffset usedAt, CancellationToken cancellationToken = default) => throw new IOException(message, errno);

    public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default) => throw new IOException(message, errno);

    public ValueTask<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken = default) => _inner.ListAsync(cancellationToken);
}
