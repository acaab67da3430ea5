using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Fornax.Hierarchy.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Tests.Identity;

/// <summary>Real handshakes: a Kestrel server on 127.0.0.1:0 configured, as a site's link port is, by <see cref="SiteIdentity.CreateServerAuthenticationOptions"/> for each connection.</summary>
#pragma warning disable CA1001 // xUnit disposes it through IAsyncLifetime.DisposeAsync
public sealed class MutualTlsTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly TestPki _pki = new(TimeProvider.System);
    private TreeCertificateAuthority _ca = null!;
    private SiteIdentity _server = null!;
    private WebApplication _app = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        var rootOptions = _pki.Options("cloud");
        _ca = TreeCertificateAuthority.LoadOrCreate(rootOptions);
        _server = SiteIdentity.CreateForRoot(rootOptions, _ca, "cloud");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(_server.CreateServerAuthenticationOptions()) });
        }));
        _app = builder.Build();
        _app.MapGet("/whoami", (HttpContext context) => SiteCertificates.GetSitePath(context.Connection.ClientCertificate!));
        await _app.StartAsync();
        _address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _server.Dispose();
        _ca.Dispose();
        _pki.Dispose();
    }

    private bool IsOurServer(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors) =>
        certificate?.GetCertHashString() == _server.Certificate.GetCertHashString();

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Request_WithASiteCertificate_Succeeds_AndTheServerSeesThePeerPath(string httpVersion)
    {
        using var child = _pki.Join(_ca, "cloud/east/shop-12");
        using var client = new HttpClient(child.CreateHttpHandler(expectedPeerSitePath: "cloud"))
        {
            DefaultRequestVersion = Version.Parse(httpVersion),
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.GetAsync(new Uri(_address, "/whoami"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(httpVersion), response.Version);
        Assert.Equal("cloud/east/shop-12", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_WithoutAClientCertificate_FailsTheHandshake()
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = IsOurServer },
        };
        using var client = new HttpClient(handler);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_address, "/whoami")));
    }

    [Fact]
    public async Task Request_WithACertificateFromAnotherTree_FailsTheHandshake()
    {
        var (otherCa, stranger) = _pki.Tree("other", "other/east");
        using var _ = otherCa;
        using var __ = stranger;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // The stranger accepts our server: only the server's check can stop it.
                RemoteCertificateValidationCallback = IsOurServer,
                LocalCertificateSelectionCallback = (_, _, _, _, _) => stranger.Certificate,
            },
        };
        using var client = new HttpClient(handler);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_address, "/whoami")));
    }

    [Fact]
    public async Task Request_ToAServerOfAnotherTree_IsRefusedByTheClient()
    {
        var (otherCa, stranger) = _pki.Tree("other", "other/east");
        using var _ = otherCa;
        using var __ = stranger;
        using var client = new HttpClient(stranger.CreateHttpHandler());

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_address, "/whoami")));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
    }

    [Fact]
    public async Task Request_ToTheWrongSite_IsRefusedByTheClient()
    {
        using var child = _pki.Join(_ca, "cloud/east/shop-12");
        using var client = new HttpClient(child.CreateHttpHandler(expectedPeerSitePath: "cloud/east"));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_address, "/whoami")));
    }

    [Fact]
    public async Task SslStream_ServerAndClientOptions_CompleteAMutualHandshake()
    {
        using var child = _pki.Join(_ca, "cloud/east");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var serverSide = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(socket.GetStream());
            await tls.AuthenticateAsServerAsync(_server.CreateServerAuthenticationOptions());
            return SiteCertificates.GetSitePath((System.Security.Cryptography.X509Certificates.X509Certificate2)tls.RemoteCertificate!);
        });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var clientTls = new SslStream(tcp.GetStream());
        var options = child.CreateClientAuthenticationOptions(expectedPeerSitePath: "cloud");
        options.TargetHost = "cloud";
        await clientTls.AuthenticateAsClientAsync(options);

        Assert.Equal("cloud/east", await serverSide);
        Assert.True(clientTls.IsMutuallyAuthenticated);
    }
}
