using System.Net;

namespace Fornax.Kv.Resp;

/// <summary>Who may use the RESP port without <c>AUTH</c>, and what a password is checked against (the host decides: a site token).</summary>
public interface IRespAuthenticator
{
    /// <summary>True when a client from <paramref name="remote"/> may run commands without <c>AUTH</c>.</summary>
    bool IsTrusted(EndPoint? remote);

    /// <summary>Null when the pair is accepted; otherwise why not (logged, never sent: the client gets WRONGPASS).</summary>
    ValueTask<string?> AuthenticateAsync(string user, string password, CancellationToken ct);
}
