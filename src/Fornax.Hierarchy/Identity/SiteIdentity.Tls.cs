using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Identity;

// Mutual TLS for links. Both sides present their site certificate and accept only peers that chain to the tree CA.
// Host names are not checked: a site certificate names a site (DNS SAN = site name, URI SAN = path), not the host
// it happens to run on, so identity is the chain plus, where the caller knows it, the expected site path.
public sealed partial class SiteIdentity
{
    /// <summary>
    /// For a listener on <see cref="SslStream"/> (Kestrel's link port takes it per connection, through its TLS handshake
    /// callback): presents the site certificate — chosen per connection, since during a move the listener shows the
    /// old-tree certificate until every child has moved — and requires a client certificate from the tree, refusing
    /// the handshake otherwise. Offers HTTP/2 and HTTP/1.1 by ALPN.
    /// </summary>
    public SslServerAuthenticationOptions CreateServerAuthenticationOptions() => new()
    {
        ServerCertificateSelectionCallback = (_, _) => PresentedCertificate,
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Accept(certificate, SiteCertificateUsage.Client, null),
        ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
    };

    /// <summary>
    /// For a client on <see cref="SslStream"/>: presents the site certificate and accepts only a server from the tree
    /// (and, when <paramref name="expectedPeerSitePath"/> is given, only that site: e.g. the parent's path).
    /// </summary>
    public SslClientAuthenticationOptions CreateClientAuthenticationOptions(string? expectedPeerSitePath = null) => new()
    {
        ClientCertificates = [Certificate],
        // Always offer our certificate: the server does not send the tree CA as an acceptable issuer, and without
        // this callback .NET may pick no certificate at all.
        LocalCertificateSelectionCallback = (_, _, _, _, _) => Certificate,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Accept(certificate, SiteCertificateUsage.Server, expectedPeerSitePath),
    };

    /// <summary>
    /// An HTTP handler (HTTP/1.1, HTTP/2, gRPC via <c>GrpcChannelOptions.HttpHandler</c>) that presents the site
    /// certificate and trusts only the tree CA. The caller owns and disposes it.
    /// </summary>
    public SocketsHttpHandler CreateHttpHandler(string? expectedPeerSitePath = null) => new()
    {
        SslOptions = CreateClientAuthenticationOptions(expectedPeerSitePath),
        EnableMultipleHttp2Connections = true,
    };

    private bool Accept(X509Certificate? certificate, SiteCertificateUsage usage, string? expectedSitePath)
    {
        var result = ValidatePeer(certificate, usage, expectedSitePath);
        if (!result.IsValid)
        {
            Log.PeerRefused(_logger, result.Error!);
        }
        else if (usage == SiteCertificateUsage.Server && expectedSitePath is not null)
        {
            NoteParentCertificate(certificate!);
        }

        return result.IsValid;
    }
}
