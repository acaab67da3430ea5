using Fornax.Hierarchy.Identity;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Portal;

/// <summary>
/// The namespace a request for a service is made in, which a Service's <c>spec.allowedNamespaces</c> is checked against.
/// Nobody declares it: at an ingress it is the namespace of the caller's user token (<see cref="TokenHeader"/>; none:
/// <c>default</c>), and a <see cref="Header"/> the caller sent is dropped. Between portals it travels in
/// <see cref="Header"/>, which a portal believes only on its link port, where every peer proved with its site certificate
/// that it is a site of this tree, and each site sets it from a credential it checked itself.
/// </summary>
internal sealed class CallerNamespaces(JoinTokenIssuer tokens)
{
    /// <summary>The caller's namespace, from portal to portal and from the serving portal to the backend.</summary>
    public const string Header = "Fornax-Namespace";

    /// <summary>A user token of the site (<c>fornax token create --user --namespace NS</c>), presented at its ingress; never passed on.</summary>
    public const string TokenHeader = "Fornax-Token";

    public const string Default = "default";

    /// <summary>At an ingress: the namespace of the caller's user token, or why the token is refused.</summary>
    public async ValueTask<(string? Namespace, string? Refusal)> AuthenticateAsync(HttpRequest request, CancellationToken ct)
    {
        var token = request.Headers[TokenHeader].ToString();
        if (token.Length == 0)
        {
            return (Default, null);
        }

        var result = await tokens.AuthenticateUserAsync(token, ct);
        return result.IsOk ? (result.Token!.Namespace ?? Default, null) : (null, result.Message);
    }

    /// <summary>On the link port: the namespace the calling site vouches for.</summary>
    public static string VouchedFor(HttpRequest request) =>
        request.Headers[Header].ToString() is { Length: > 0 } vouched ? vouched : Default;
}
