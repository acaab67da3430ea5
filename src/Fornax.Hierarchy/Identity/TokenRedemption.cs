namespace Fornax.Hierarchy.Identity;

public enum TokenStatus
{
    Ok,

    /// <summary>Malformed, unknown, the wrong secret or the wrong kind; the message does not say which id exists.</summary>
    Wrong,

    Expired,

    AlreadyUsed,
}

/// <summary>The outcome of checking a token, with one line an operator can act on.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Message">e.g. <c>join token k3Xa9QbP expired at 2026-03-01T12:00:00Z; create a new one with `fornax token create`</c>.</param>
/// <param name="Token">The stored token when the secret matched (also for Expired and AlreadyUsed); null when Wrong.</param>
public sealed record TokenRedemption(TokenStatus Status, string Message, StoredToken? Token)
{
    public bool IsOk => Status == TokenStatus.Ok;
}

/// <summary>A token just created: <see cref="Token"/> is shown to the operator once and never stored.</summary>
/// <param name="Token">The bearer string <c>&lt;id&gt;.&lt;secret&gt;</c>.</param>
/// <param name="Stored">What the store keeps (the secret's hash only).</param>
public sealed record IssuedToken(string Token, StoredToken Stored)
{
    public string Id => Stored.Id;

    public DateTimeOffset? ExpiresAt => Stored.ExpiresAt;

    public override string ToString() => Token;
}
