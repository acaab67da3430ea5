using System.Security.Cryptography;
using System.Runtime.InteropServices;
using Fornax.Hierarchy.Identity;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Portal;

/// <summary>
/// The namespace a request for a service is made in, which a Service's <c>spec.allowedNamespaces</c> is checked against.
/// Nobody declares it: at an ingress it is the namespace of the caller's user token (<see cref="TokenHeader"/>; none:
/// <c>default</c>), and a <see cref="Header"/> the caller sent is dropped. Between portals it travels in
/// <see cref="Header"/>, which a portal believes only on its link port, where every peer proved with its site certificate
/// that it is a site of this tree, and each site sets it from a credential it checked itself. A portal that hands a request
/// to a function of its own site goes through that site's ingress (<c>/fn/</c>), where clients reach too: it proves the
/// request is its own with <see cref="PortalKeyHeader"/>, a secret of this process that never leaves it.
/// </summary>
internal sealed class CallerNamespaces(JoinTokenIssuer tokens)
{
    /// <summary>On a portal's request to a function of its own site: <see cref="PortalKey"/>, so <c>/fn/</c> believes its <see cref="Header"/>.</summary>
    public const string PortalKeyHeader = "Fornax-Portal-Key";

    // 256 random bits per process: a key no client can guess; it travels only over loopback to this process itself.
    private readonly string _portalKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

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

    /// <summary>The key this site's portal sends with a request to one of its own functions.</summary>
    public string PortalKey => _portalKey;

    /// <summary>Marks a request this portal hands to a function of its own site (<paramref name="route"/>), so <c>/fn/</c> believes its namespace.</summary>
    public void VouchToOwnFunction(HttpRequestMessage request, LocalRoute route)
    {
        if (route.Function)
        {
            request.Headers.TryAddWithoutValidation(PortalKeyHeader, _portalKey);
        }
    }

    /// <summary>
    /// At <c>/fn/</c>: the namespace this site's portal vouches for (it checked the policy of the service it served, so
    /// <c>ByPortal</c>); otherwise the caller's, from its user token as at <see cref="AuthenticateAsync"/>.
    /// </summary>
    public async ValueTask<(string? Namespace, string? Refusal, bool ByPortal)> AtFunctionIngressAsync(HttpRequest request, CancellationToken ct)
    {
        if (FromOwnPortal(request))
        {
            return (VouchedFor(request), null, true);
        }

        var (ns, refusal) = await AuthenticateAsync(request, ct);
        return (ns, refusal, false);
    }

    /// <summary>Whether the request was sent by this site's own portal (it carries <see cref="PortalKey"/>).</summary>
    public bool FromOwnPortal(HttpRequest request) =>
        request.Headers[PortalKeyHeader].ToString() is { Length: > 0 } key
        && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(key.AsSpan()), MemoryMarshal.AsBytes(_portalKey.AsSpan()));

    /// <summary>On the link port: the namespace the calling site vouches for.</summary>
    public static string VouchedFor(HttpRequest request) =>
        request.Headers[Header].ToString() is { Length: > 0 } vouched ? vouched : Default;
}
