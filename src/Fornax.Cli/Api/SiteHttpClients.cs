using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Fornax.Cli.Configuration;

namespace Fornax.Cli.Api;

/// <summary>Builds the HTTP client for a site: bearer token, the tree's CA, and a client certificate for mutual TLS.</summary>
public static class SiteHttpClients
{
    public static HttpClient Create(SiteTarget target)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // A site always answers Expect: 100-continue (100 once it reads the body, or its refusal): wait for it rather
            // than send a large body after the default second, which a busy site can miss, ending in a closed connection.
            Expect100ContinueTimeout = TimeSpan.FromSeconds(30),
        };
        if (target.CaFile is { } caFile)
        {
            var ca = X509Certificate2.CreateFromPemFile(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && ChainsTo(new X509Certificate2(certificate), ca));
        }

        if (target.ClientCert is { } clientCert)
        {
            // The PEM file carries the certificate and its key, as `fornax token` writes them.
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(clientCert)];
        }

        var client = new HttpClient(handler) { BaseAddress = new Uri(target.Url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
        if (target.Token is { } token)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
