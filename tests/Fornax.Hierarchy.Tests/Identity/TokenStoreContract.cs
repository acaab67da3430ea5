using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

/// <summary>One suite, run against every <see cref="ITokenStore"/>.</summary>
public abstract class TokenStoreContract
{
    protected abstract ITokenStore Store { get; }

    internal static StoredToken Token(string id, int minute = 0) => new()
    {
        Id = id,
        SecretHash = "sha256:" + new string('a', 64),
        Kind = TokenKind.Join,
        CreatedAt = TestPki.Start.AddMinutes(minute),
        ExpiresAt = TestPki.Start.AddHours(1),
        SingleUse = true,
    };

    [Fact]
    public async Task Add_ThenFind_ReturnsTheToken()
    {
        await Store.AddAsync(Token("a"));

        Assert.Equal(Token("a"), await Store.FindAsync("a"));
        Assert.Null(await Store.FindAsync("b"));
    }

    [Fact]
    public async Task Add_DuplicateId_Throws()
    {
        await Store.AddAsync(Token("a"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AddAsync(Token("a")).AsTask());
    }

    [Fact]
    public async Task TryMarkUsed_OnlyTheFirstWins()
    {
        await Store.AddAsync(Token("a"));

        Assert.True(await Store.TryMarkUsedAsync("a", TestPki.Start));
        Assert.False(await Store.TryMarkUsedAsync("a", TestPki.Start.AddMinutes(1)));
        Assert.False(await Store.TryMarkUsedAsync("missing", TestPki.Start));
        Assert.Equal(TestPki.Start, (await Store.FindAsync("a"))!.UsedAt);
    }

    [Fact]
    public async Task TryMarkUsed_Concurrently_ExactlyOneWins()
    {
        await Store.AddAsync(Token("a"));

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Store.TryMarkUsedAsync("a", TestPki.Start).AsTask())));

        Assert.Single(results, won => won);
    }

    [Fact]
    public async Task Remove_ThenList_ShowsTheRestOldestFirst()
    {
        await Store.AddAsync(Token("c", minute: 2));
        await Store.AddAsync(Token("a", minute: 0));
        await Store.AddAsync(Token("b", minute: 1));

        Assert.True(await Store.RemoveAsync("b"));
        Assert.False(await Store.RemoveAsync("b"));
        Assert.Equal(["a", "c"], (await Store.ListAsync()).Select(t => t.Id));
    }
}

public sealed class InMemoryTokenStoreTests : TokenStoreContract
{
    protected override ITokenStore Store { get; } = new InMemoryTokenStore();
}

public sealed class JsonFileTokenStoreTests : TokenStoreContract, IDisposable
{
    private readonly TestPki _pki = new();
    private readonly JsonFileTokenStore _store;

    public JsonFileTokenStoreTests() => _store = JsonFileTokenStore.ForSite(_pki.Options("cloud"));

    protected override ITokenStore Store => _store;

    public void Dispose()
    {
        _store.Dispose();
        _pki.Dispose();
    }

    [Fact]
    public async Task Changes_SurviveAReload()
    {
        await _store.AddAsync(Token("a"));
        await _store.AddAsync(Token("b", minute: 1));
        await _store.TryMarkUsedAsync("a", TestPki.Start.AddMinutes(5));
        await _store.RemoveAsync("b");

        using var reloaded = new JsonFileTokenStore(_store.FilePath);

        Assert.Equal([Token("a") with { UsedAt = TestPki.Start.AddMinutes(5) }], await reloaded.ListAsync());
    }

    [Fact]
    public async Task File_IsOwnerOnly_AndNoTemporaryFilesRemain()
    {
        await _store.AddAsync(Token("a"));

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_store.FilePath));
        }

        Assert.Equal(["tokens.json"], Directory.GetFiles(Path.GetDirectoryName(_store.FilePath)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task CorruptFile_SaysWhichFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_store.FilePath)!);
        await File.WriteAllTextAsync(_store.FilePath, "{ not json");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.ListAsync().AsTask());
        Assert.Contains(_store.FilePath, error.Message);
    }
}
