using System.Text.Json.Serialization;

namespace Fornax.Hierarchy.Identity;

[JsonConverter(typeof(JsonStringEnumConverter<TokenKind>))]
public enum TokenKind
{
    /// <summary>Single-use, short-lived: lets one child site join.</summary>
    Join,

    /// <summary>Multi-use, long-lived: a bearer token for API access.</summary>
    User,
}

/// <summary>A token as stored: its id, the SHA-256 of its secret (never the secret), kind and lifetime.</summary>
public sealed record StoredToken
{
    public required string Id { get; init; }

    /// <summary><c>sha256:&lt;hex&gt;</c> of the secret's UTF-8 bytes.</summary>
    public required string SecretHash { get; init; }

    public required TokenKind Kind { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Null: never expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public bool SingleUse { get; init; }

    /// <summary>When a single-use token was redeemed; null while unused.</summary>
    public DateTimeOffset? UsedAt { get; init; }

    /// <summary>
    /// A user token's namespace: the namespace the edge portals call services in for whoever presents it
    /// (<c>Fornax-Token</c> at an ingress); null is <c>default</c>.
    /// </summary>
    public string? Namespace { get; init; }

    /// <summary>Free text from the operator (<c>--description</c>), e.g. who or what the token is for.</summary>
    public string? Description { get; init; }
}
