using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fornax.Core.Validation;

namespace Fornax.Hierarchy.Identity;

/// <summary>
/// A joining site's fresh key pair and the PKCS#10 request it sends up with its join token. The private key
/// never leaves this object until <see cref="SiteIdentity.Complete"/> stores it beside the signed certificate.
/// </summary>
public sealed class SiteSigningRequest : IDisposable
{
    private SiteSigningRequest(string siteName, ECDsa key, string pem)
    {
        SiteName = siteName;
        Key = key;
        Pem = pem;
    }

    public string SiteName { get; }

    /// <summary>The request in PEM, to send to the parent.</summary>
    public string Pem { get; }

    internal ECDsa Key { get; }

    /// <summary>Creates an ECDSA P-256 key pair and a request for <paramref name="siteName"/>.</summary>
    public static SiteSigningRequest Create(string siteName)
    {
        if (!Names.IsDnsLabel(siteName))
        {
            throw new ArgumentException($"siteName: \"{siteName}\" is not a valid site name (lowercase letters, digits and '-', at most 63 characters)", nameof(siteName));
        }

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(siteName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        return new SiteSigningRequest(siteName, key, request.CreateSigningRequestPem());
    }

    public void Dispose() => Key.Dispose();
}
