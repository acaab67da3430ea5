using System.Net;
using System.Security.Cryptography.X509Certificates;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Trees;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.IntegrationTests.Portal;

/// <summary>A site's portal lets in only the portals of its own tree: mutual TLS with the site certificates.</summary>
public sealed class PortalTrustTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task PeerWithoutACertificateOrWithAnotherTreesCertificate_IsRefused_TheTreesOwnPortalsGetIn()
    {
        await using var tree = await PortalTree.StartAsync("e2");
        await using var other = await TreeHost.StartAsync(TreeHost.Chain("x"));
        var foreign = other["x"].Node.Services.GetRequiredService<SiteIdentity>().Certificate;
        var served = tree["e2"].Node.Services.GetRequiredService<SiteIdentity>().Certificate;
        var portal = Assert.Single(PortalTree.Map(tree["e1"]).SitesServing(PortalTree.Hello)).PortalAddress;

        foreach (var certificate in new[] { null, foreign })
        {
            using var client = Client(certificate, served);
            using var request = Request(portal);
            await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request));
        }

        // The same request with a certificate of this tree (e1's) is served: the refusals above were the certificates.
        using (var trusted = Client(tree["e1"].Node.Services.GetRequiredService<SiteIdentity>().Certificate, served))
        using (var request = Request(portal))
        using (var answer = await trusted.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("a/r/e2", PortalTree.Route(answer));
        }
    }

    private static HttpClient Client(X509Certificate2? certificate, X509Certificate2 server)
    {
        var handler = new SocketsHttpHandler();
        // The client takes the serving site's certificate as it is: what is tested is whether the portal takes the client.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == server.GetCertHashString();
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { certificate };
        }

        return new HttpClient(handler);
    }

    private static HttpRequestMessage Request(string portal) => new(HttpMethod.Get, $"https://{portal}/portal/svc/default/hello/")
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
}
