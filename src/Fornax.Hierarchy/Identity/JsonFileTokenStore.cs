using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fornax.Hierarchy.Identity;

/// <summary>
/// Tokens in one JSON file (<c>DATA/pki/tokens.json</c>, mode 0600), rewritten atomically on every change.
/// One process owns the file: the cache is read once, so writes by another process are not seen (the node's
/// API is the way to create tokens while it runs). Tokens are few, so rewriting the whole file is cheap.
/// </summary>
public sealed class JsonFileTokenStore : ITokenStore, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, StoredToken>? _tokens;

    public JsonFileTokenStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
    }

    /// <summary>The store every site uses: <c>DATA/pki/tokens.json</c>.</summary>
    public static JsonFileTokenStore ForSite(PkiOptions options) => new(Path.Combine(options.PkiDirectory, PkiFiles.Tokens));

    public string FilePath { get; }

    public async ValueTask AddAsync(StoredToken token, CancellationToken cancellationToken = default) =>
        await UpdateAsync(tokens =>
        {
            if (!tokens.TryAdd(token.Id, token))
            {
                throw new InvalidOperationException($"a token with id {token.Id} exists");
            }

            return true;
        }, cancellationToken);

    public async ValueTask<StoredToken?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return Load().GetValueOrDefault(id);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask<bool> TryMarkUsedAsync(string id, DateTimeOffset usedAt, CancellationToken cancellationToken = default) =>
        UpdateAsync(tokens =>
        {
            if (!tokens.TryGetValue(id, out var token) || token.UsedAt is not null)
            {
                return false;
            }

            tokens[id] = token with { UsedAt = usedAt };
            return true;
        }, cancellationToken);

    public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default) =>
        UpdateAsync(tokens => tokens.Remove(id), cancellationToken);

    public async ValueTask<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return [.. Load().Values.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)];
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Applies <paramref name="change"/> to a copy and writes it; the cache moves on only once the file has.</summary>
    private async ValueTask<bool> UpdateAsync(Func<Dictionary<string, StoredToken>, bool> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var copy = new Dictionary<string, StoredToken>(Load(), StringComparer.Ordinal);
            if (!change(copy))
            {
                return false;
            }

            var file = new TokenFile { Tokens = [.. copy.Values.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)] };
            PkiFiles.WriteAtomically(FilePath, JsonSerializer.Serialize(file, HierarchyJson.Default.TokenFile) + "\n", secret: true);
            _tokens = copy;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Dictionary<string, StoredToken> Load()
    {
        if (_tokens is not null)
        {
            return _tokens;
        }

        if (!File.Exists(FilePath))
        {
            return _tokens = new(StringComparer.Ordinal);
        }

        TokenFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllText(FilePath), HierarchyJson.Default.TokenFile);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{FilePath}: not a token file ({e.Message})", e);
        }

        if (file is not { Version: TokenFile.CurrentVersion })
        {
            throw new InvalidDataException($"{FilePath}: version {file?.Version} is not {TokenFile.CurrentVersion}");
        }

        return _tokens = file.Tokens.ToDictionary(t => t.Id, StringComparer.Ordinal);
    }

    internal sealed class TokenFile
    {
        public const int CurrentVersion = 1;

        public int Version { get; set; } = CurrentVersion;

        public List<StoredToken> Tokens { get; set; } = [];
    }
}
