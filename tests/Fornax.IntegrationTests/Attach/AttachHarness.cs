using Fornax.Testing;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Trees;

namespace Fornax.IntegrationTests.Attach;

/// <summary>Trees, requests and checks the attachment tests share.</summary>
internal static class AttachHarness
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>A missions that selects the edge sites of whatever tree it is applied in.</summary>
    public const string EdgeMission = """
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: NAME}
        spec:
          placement: {selector: {matchLabels: {fornax.io/tier: edge}}}
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: NAME-config}
              data: {from: NAME}
        """;

    /// <summary><c>east</c> as the root of its own tree, with edge sites <c>east-1</c> and <c>east-2</c>.</summary>
    public static Topology EastTree() => new()
    {
        Metadata = new ObjectMeta { Name = "east" },
        Spec = new TopologySpec
        {
            Sites =
            [
                new TopologySite { Name = "east", Tier = SiteTiers.Region },
                new TopologySite { Name = "east-1", Parent = "east", Tier = SiteTiers.Edge },
                new TopologySite { Name = "east-2", Parent = "east", Tier = SiteTiers.Edge },
            ],
        },
    };

    public static Topology Single(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new TopologySpec { Sites = [new TopologySite { Name = name, Tier = SiteTiers.Cloud }] },
    };

    public static Task ApplyMissionAsync(TreeSite site, string name) =>
        TreeHost.ApplyAsync(site, "missions", name, EdgeMission.Replace("NAME", name, StringComparison.Ordinal));

    public static async Task<string> JoinTokenAsync(TreeSite parent)
    {
        using var response = await parent.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["ttl"] = "10m" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    public static async Task<(int Status, JsonObject Body)> AttachAsync(TreeSite site, string parentApi, string token)
    {
        using var response = await site.Http.PostAsJsonAsync("/api/attach", new JsonObject { ["parent"] = parentApi, ["token"] = token });
        return ((int)response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    public static async Task<JsonObject> SiteInfoAsync(TreeSite site) => (await site.Http.GetFromJsonAsync<JsonObject>("/api/site"))!;

    /// <summary>Waits for a condition over HTTP; a site restarting in place refuses connections for a moment, which counts as "not yet".</summary>
    public static Task WaitAsync(Func<Task<bool>> condition, string what, Func<Task<string>>? describe = null) =>
        Poll.UntilAsync(async () =>
        {
            try
            {
                return await condition();
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, what, Deadline, describe);

    public static X509Certificate2 LoadCertificate(string path) => X509CertificateLoader.LoadCertificate(File.ReadAllBytes(path));

    /// <summary>The tree CA of a root site (its <c>DATA/pki/ca.crt</c>).</summary>
    public static X509Certificate2 TreeCa(TreeSite root) => X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(root.DataDirectory, "pki", "ca.crt")));

    public static SiteIdentity Identity(string dataDirectory) =>
        SiteIdentity.TryLoad(new PkiOptions { DataDirectory = dataDirectory }) ?? throw new InvalidOperationException($"{dataDirectory} holds no identity");

    /// <summary>A copy of a site's key, certificate and trust anchor, to present later as the site it was.</summary>
    public static string CopyIdentity(string dataDirectory)
    {
        var copy = Directory.CreateTempSubdirectory("fornax-old-identity-").FullName;
        Directory.CreateDirectory(Path.Combine(copy, "pki"));
        foreach (var file in new[] { "site.crt", "site.key", "trust.crt" })
        {
            File.Copy(Path.Combine(dataDirectory, "pki", file), Path.Combine(copy, "pki", file));
        }

        return copy;
    }

    /// <summary>
    /// A real mutual-TLS handshake with a site's link port as <paramref name="client"/>, checking the server as the
    /// client's tree does, then one HTTP/2 preface write and read so a server that refuses the client certificate
    /// after the handshake (TLS 1.3) is seen too. Returns the server's certificate, or throws.
    /// </summary>
    public static Task<X509Certificate2> HandshakeAsync(TreeSite server, SiteIdentity client, string expectedServerPath) =>
        HandshakeAsync(server, client.CreateClientAuthenticationOptions(expectedServerPath));

    /// <summary>As a site that accepts any server: only the server's verdict on the client certificate counts.</summary>
    public static Task<X509Certificate2> HandshakeTrustingAnyServerAsync(TreeSite server, SiteIdentity client)
    {
        var options = client.CreateClientAuthenticationOptions();
#pragma warning disable CA5359 // on purpose: this client checks what the server accepts, not who the server is
        options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        return HandshakeAsync(server, options);
    }

    private static async Task<X509Certificate2> HandshakeAsync(TreeSite server, SslClientAuthenticationOptions options)
    {
        var link = new Uri(server.Node.Links.Self.Link!);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(link.Host, link.Port);
        await using var tls = new SslStream(tcp.GetStream());
        options.TargetHost = "fornax";
        options.ApplicationProtocols = [SslApplicationProtocol.Http2];
        await tls.AuthenticateAsClientAsync(options);
        await tls.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray().Concat(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }).ToArray());
        var buffer = new byte[9];
        var read = await tls.ReadAsync(buffer);
        if (read == 0)
        {
            throw new IOException($"{server.Name} closed the connection after the handshake");
        }

        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
    }
}
