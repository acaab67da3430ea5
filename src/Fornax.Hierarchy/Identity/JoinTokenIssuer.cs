using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Fornax.Hierarchy.Identity;

/// <summary>
/// Issues and checks tokens <c>&lt;id&gt;.&lt;secret&gt;</c>: join tokens (<c>fornax token create [--ttl 1h]</c>,
/// single use) and user bearer tokens (<c>fornax token create --user</c>, multi-use). Only a hash of the secret
/// is stored. The secret is 128 random bits, so a plain SHA-256 suffices: there is nothing to brute-force that a
/// slow, salted password hash would protect.
/// </summary>
public sealed class JoinTokenIssuer
{
    /// <summary>How long a join token lives when no TTL is given.</summary>
    public static readonly TimeSpan DefaultJoinTokenTtl = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a user token lives when no TTL is given: 30 days, so a token copied into a config file or a script
    /// and forgotten stops working on its own. Pass a TTL for a longer one.
    /// </summary>
    public static readonly TimeSpan DefaultUserTokenTtl = TimeSpan.FromDays(30);

    private const int IdBytes = 6;      // 8 base64url characters; the store rejects the rare duplicate and we retry
    private const int SecretBytes = 16; // 128 bits

    private readonly ITokenStore _store;
    private readonly TimeProvider _time;

    public JoinTokenIssuer(ITokenStore store, TimeProvider timeProvider)
    {
        _store = store;
        _time = timeProvider;
    }

    /// <summary>The issuer every site uses: tokens in <c>DATA/pki/tokens.json</c>, time from the options.</summary>
    public static JoinTokenIssuer ForSite(PkiOptions options) => new(JsonFileTokenStore.ForSite(options), options.TimeProvider);

    /// <summary>A single-use token that lets one child site join, valid for <paramref name="ttl"/> (default 1h).</summary>
    public Task<IssuedToken> CreateJoinTokenAsync(TimeSpan? ttl = null, string? description = null, CancellationToken cancellationToken = default) =>
        CreateAsync(TokenKind.Join, ttl ?? DefaultJoinTokenTtl, singleUse: true, description, cancellationToken);

    /// <summary>
    /// A multi-use bearer token for the API, valid for <paramref name="ttl"/> (default 30 days); its holder calls services
    /// through the portals in <paramref name="namespace"/> (default <c>default</c>).
    /// </summary>
    public Task<IssuedToken> CreateUserTokenAsync(TimeSpan? ttl = null, string? description = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        CreateAsync(TokenKind.User, ttl ?? DefaultUserTokenTtl, singleUse: false, description, cancellationToken, @namespace);

    /// <summary>Checks a join token and, when it is good, marks it used: a second redemption gets AlreadyUsed.</summary>
    public async Task<TokenRedemption> RedeemJoinTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        var check = await CheckAsync(token, TokenKind.Join, cancellationToken);
        if (!check.IsOk)
        {
            return check;
        }

        var stored = check.Token!;
        var now = _time.GetUtcNow();
        if (!await _store.TryMarkUsedAsync(stored.Id, now, cancellationToken))
        {
            // Lost a race with a concurrent redemption (or the token was revoked meanwhile).
            var current = await _store.FindAsync(stored.Id, cancellationToken);
            return current?.UsedAt is { } usedAt ? UsedResult(current, usedAt) : WrongResult(TokenKind.Join);
        }

        return new TokenRedemption(TokenStatus.Ok, $"join token {stored.Id} redeemed", stored with { UsedAt = now });
    }

    /// <summary>Checks a join token without using it up, so a request refused for another reason leaves it usable.</summary>
    public Task<TokenRedemption> CheckJoinTokenAsync(string token, CancellationToken cancellationToken = default) =>
        CheckAsync(token, TokenKind.Join, cancellationToken);

    /// <summary>Checks a user bearer token; nothing is recorded, it stays usable until it expires or is revoked.</summary>
    public Task<TokenRedemption> AuthenticateUserAsync(string token, CancellationToken cancellationToken = default) =>
        CheckAsync(token, TokenKind.User, cancellationToken);

    /// <summary>Deletes a token by id; false when there was none.</summary>
    public ValueTask<bool> RevokeAsync(string id, CancellationToken cancellationToken = default) => _store.RemoveAsync(id, cancellationToken);

    public ValueTask<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken = default) => _store.ListAsync(cancellationToken);

    internal static string Hash(string secret) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private async Task<IssuedToken> CreateAsync(TokenKind kind, TimeSpan? ttl, bool singleUse, string? description, CancellationToken cancellationToken, string? @namespace = null)
    {
        if (ttl is { } span && span <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), span, $"ttl: {span} must be positive");
        }

        var now = _time.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(IdBytes));
            var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
            var stored = new StoredToken
            {
                Id = id,
                SecretHash = Hash(secret),
                Kind = kind,
                CreatedAt = now,
                ExpiresAt = now + ttl,
                SingleUse = singleUse,
                Description = description,
                Namespace = @namespace,
            };
            try
            {
                await _store.AddAsync(stored, cancellationToken);
                return new IssuedToken($"{id}.{secret}", stored);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // A 48-bit id collided with an existing one; draw another.
            }
        }
    }

    private async Task<TokenRedemption> CheckAsync(string token, TokenKind kind, CancellationToken cancellationToken)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot <= 0 || dot == token.Length - 1)
        {
            return new TokenRedemption(TokenStatus.Wrong, $"{Noun(kind)} is malformed: expected <id>.<secret> as printed by `fornax token create`", null);
        }

        var stored = await _store.FindAsync(token[..dot], cancellationToken);
        if (stored is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.SecretHash), Encoding.ASCII.GetBytes(Hash(token[(dot + 1)..]))))
        {
            return WrongResult(kind);
        }

        if (stored.Kind != kind)
        {
            return new TokenRedemption(TokenStatus.Wrong, $"token {stored.Id} is a {Noun(stored.Kind)}, not a {Noun(kind)}", null);
        }

        if (stored.SingleUse && stored.UsedAt is { } usedAt)
        {
            return UsedResult(stored, usedAt);
        }

        var now = _time.GetUtcNow();
        if (stored.ExpiresAt is { } expiresAt && now >= expiresAt)
        {
            return new TokenRedemption(TokenStatus.Expired, $"{Noun(kind)} {stored.Id} expired at {Format(expiresAt)}; {Remedy(kind)}", stored);
        }

        return new TokenRedemption(TokenStatus.Ok, $"{Noun(kind)} {stored.Id} is valid", stored);
    }

    private static TokenRedemption WrongResult(TokenKind kind) =>
        new(TokenStatus.Wrong, $"{Noun(kind)} is not valid (unknown, revoked or mistyped); check it, or {Remedy(kind)}", null);

    private static TokenRedemption UsedResult(StoredToken stored, DateTimeOffset usedAt) =>
        new(TokenStatus.AlreadyUsed, $"{Noun(stored.Kind)} {stored.Id} was already used at {Format(usedAt)}; {Remedy(stored.Kind)}", stored);

    private static string Noun(TokenKind kind) => kind == TokenKind.Join ? "join token" : "user token";

    private static string Remedy(TokenKind kind) =>
        kind == TokenKind.Join ? "create a new one with `fornax token create`" : "create a new one with `fornax token create --user`";

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
