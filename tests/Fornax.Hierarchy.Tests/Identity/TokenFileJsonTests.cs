using System.Text.Json;
using System.Text.Json.Serialization;
using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

/// <summary>
/// The token file is written through the source-generated <see cref="HierarchyJson"/> (Native AOT): its bytes must be
/// what the reflection-based serializer wrote with the options the store used before, so files of earlier versions
/// read back and new ones look the same.
/// </summary>
public sealed class TokenFileJsonTests : IDisposable
{
    private static readonly JsonSerializerOptions ReflectionOptionsBefore = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("fornax-tokenjson-");

    private static StoredToken UserToken() => new()
    {
        Id = "u1",
        SecretHash = "sha256:" + new string('b', 64),
        Kind = TokenKind.User,
        CreatedAt = TestPki.Start,
        Namespace = "shop",
        Description = "café <ci> & co",
    };

    [Fact]
    public async Task TheFile_IsTheGoldenText_AndWhatReflectionWrote()
    {
        var path = Path.Combine(_data.FullName, "tokens.json");
        using var store = new JsonFileTokenStore(path);
        await store.AddAsync(TokenStoreContract.Token("j1"));
        await store.AddAsync(UserToken());

        var text = await File.ReadAllTextAsync(path);

        Assert.Equal(
            """
            {
              "version": 1,
              "tokens": [
                {
                  "id": "j1",
                  "secretHash": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                  "kind": "Join",
                  "createdAt": "2026-03-01T12:00:00+00:00",
                  "expiresAt": "2026-03-01T13:00:00+00:00",
                  "singleUse": true
                },
                {
                  "id": "u1",
                  "secretHash": "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                  "kind": "User",
                  "createdAt": "2026-03-01T12:00:00+00:00",
                  "singleUse": false,
                  "namespace": "shop",
                  "description": "caf\u00E9 \u003Cci\u003E \u0026 co"
                }
              ]
            }

            """.ReplaceLineEndings("\n"),
            text);
        var file = new JsonFileTokenStore.TokenFile { Tokens = [TokenStoreContract.Token("j1"), UserToken()] };
        Assert.Equal(JsonSerializer.Serialize(file, ReflectionOptionsBefore) + "\n", text);
    }

    [Fact]
    public async Task AFileWrittenByReflection_ReadsBack()
    {
        var path = Path.Combine(_data.FullName, "tokens.json");
        var file = new JsonFileTokenStore.TokenFile { Tokens = [UserToken()] };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(file, ReflectionOptionsBefore) + "\n");
        using var store = new JsonFileTokenStore(path);

        Assert.Equal(UserToken(), await store.FindAsync("u1"));
    }

    public void Dispose() => _data.Delete(recursive: true);
}
