namespace Fornax.Hierarchy.Identity;

/// <summary>A token store that forgets everything when the process ends: for tests and throwaway sites.</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoredToken> _tokens = new(StringComparer.Ordinal);

    public ValueTask AddAsync(StoredToken token, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_tokens.TryAdd(token.Id, token))
            {
                throw new InvalidOperationException($"a token with id {token.Id} exists");
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<StoredToken?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_tokens.GetValueOrDefault(id));
        }
    }

    public ValueTask<bool> TryMarkUsedAsync(string id, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_tokens.TryGetValue(id, out var token) || token.UsedAt is not null)
            {
                return ValueTask.FromResult(false);
            }

            _tokens[id] = token with { UsedAt = usedAt };
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_tokens.Remove(id));
        }
    }

    public ValueTask<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<StoredToken>>([.. _tokens.Values.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)]);
        }
    }
}
