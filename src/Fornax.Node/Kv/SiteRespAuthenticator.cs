using System.Net;
using Fornax.Hierarchy.Identity;
using Fornax.Kv.Resp;

namespace Fornax.Node.Kv;

/// <summary>
/// The RESP port's trust, the API's rule (see <c>ApiAuthentication</c>): loopback clients may skip AUTH; anyone else
/// must <c>AUTH</c> with a user token from <c>fornax token create --user</c> (the user name is ignored). A password that
/// is presented is checked wherever it comes from.
/// </summary>
internal sealed class SiteRespAuthenticator(JoinTokenIssuer tokens) : IRespAuthenticator
{
    public bool IsTrusted(EndPoint? remote) => remote is not IPEndPoint ip || IPAddress.IsLoopback(ip.Address);

    public async ValueTask<string?> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        var result = await tokens.AuthenticateUserAsync(password, ct);
        return result.IsOk ? null : result.Message;
    }
}
