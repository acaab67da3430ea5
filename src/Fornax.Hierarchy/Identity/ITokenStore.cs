namespace Fornax.Hierarchy.Identity;

/// <summary>
/// Where tokens live. Implementations must make <see cref="TryMarkUsedAsync"/> atomic: of two concurrent
/// redemptions of one single-use token, exactly one may win.
/// </summary>
public interface ITokenStore
{
    /// <exception cref="InvalidOperationException">A token with this id exists.</exception>
    ValueTask AddAsync(StoredToken token, CancellationToken cancellationToken = default);

    ValueTask<StoredToken?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Sets <see cref="StoredToken.UsedAt"/> if it is unset; false when the token is missing or already used.</summary>
    ValueTask<bool> TryMarkUsedAsync(string id, DateTimeOffset usedAt, CancellationToken cancellationToken = default);

    /// <summary>False when there was no such token.</summary>
    ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every token, oldest first.</summary>
    ValueTask<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken = default);
}
