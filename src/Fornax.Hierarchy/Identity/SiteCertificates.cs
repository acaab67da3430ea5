using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fornax.Core.Validation;

namespace Fornax.Hierarchy.Identity;

/// <summary>What a peer certificate is checked for: the TLS role the peer plays.</summary>
public enum SiteCertificateUsage
{
    /// <summary>The peer is a TLS client (we are the server); its certificate needs the clientAuth EKU.</summary>
    Client,

    /// <summary>The peer is a TLS server (we are the client); its certificate needs the serverAuth EKU.</summary>
    Server,
}

/// <summary>The outcome of <see cref="SiteCertificates.Validate"/>: the peer's site path, or why it was refused.</summary>
public readonly record struct PeerValidation(bool IsValid, string? SitePath, string? Error)
{
    public static PeerValidation Valid(string sitePath) => new(true, sitePath, null);

    public static PeerValidation Invalid(string error) => new(false, null, error);
}

/// <summary>Site certificates carry the site path in a URI SAN, <c>fornax://site/cloud/east/shop-12</c>.</summary>
public static class SiteCertificates
{
    public const string UriScheme = "fornax";
    public const string UriHost = "site";

    internal const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    internal const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const string SubjectAltNameOid = "2.5.29.17";

    // GeneralName ::= CHOICE { ... uniformResourceIdentifier [6] IA5String ... } (RFC 5280 §4.2.1.6)
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>A site path is one or more site names (RFC 1123 labels) joined by '/': <c>cloud/east/shop-12</c>.</summary>
    public static bool IsValidSitePath(string? path) =>
        !string.IsNullOrEmpty(path) && path.Split('/').All(Names.IsDnsLabel);

    /// <summary>The URI SAN that names a site: <c>fornax://site/&lt;path&gt;</c>.</summary>
    public static Uri ToUri(string sitePath) =>
        IsValidSitePath(sitePath)
            ? new Uri($"{UriScheme}://{UriHost}/{sitePath}")
            : throw new ArgumentException($"\"{sitePath}\" is not a site path like cloud/east/shop-12", nameof(sitePath));

    /// <summary>
    /// The site path a certificate carries, or null when it has none. This does not validate the certificate:
    /// use it on certificates the TLS layer has already checked (e.g. Kestrel's <c>Connection.ClientCertificate</c>).
    /// </summary>
    public static string? GetSitePath(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            foreach (var uri in ReadUris(extension.RawData))
            {
                const string prefix = $"{UriScheme}://{UriHost}/";
                if (uri.StartsWith(prefix, StringComparison.Ordinal) && IsValidSitePath(uri[prefix.Length..]))
                {
                    return uri[prefix.Length..];
                }
            }
        }

        return null;
    }

    /// <summary><c>sha256:&lt;hex&gt;</c> of the certificate's DER bytes: what an operator compares out of band.</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        "sha256:" + Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));

    /// <summary>
    /// Checks that <paramref name="peer"/> chains to <paramref name="trustAnchor"/> (and to nothing else: the
    /// machine's root store is ignored), is valid at <paramref name="now"/>, allows <paramref name="usage"/> and
    /// names a site. Revocation is not checked: the tree has no CRL or OCSP responder (certificates live a year).
    /// </summary>
    public static PeerValidation Validate(X509Certificate2 peer, X509Certificate2 trustAnchor, SiteCertificateUsage usage, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustAnchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage == SiteCertificateUsage.Client ? ClientAuthOid : ServerAuthOid));

        try
        {
            if (!chain.Build(peer))
            {
                var reasons = chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}").Distinct();
                return PeerValidation.Invalid($"certificate \"{peer.Subject}\" does not chain to the tree CA ({string.Join("; ", reasons)})");
            }

            var root = chain.ChainElements[^1].Certificate;
            if (!root.RawDataMemory.Span.SequenceEqual(trustAnchor.RawDataMemory.Span))
            {
                return PeerValidation.Invalid($"certificate \"{peer.Subject}\" chains to \"{root.Subject}\", not to the tree CA");
            }
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }

        return GetSitePath(peer) is { } path
            ? PeerValidation.Valid(path)
            : PeerValidation.Invalid($"certificate \"{peer.Subject}\" is not a site certificate (no {UriScheme}://{UriHost}/ URI SAN)");
    }

    private static List<string> ReadUris(ReadOnlyMemory<byte> subjectAltName)
    {
        var uris = new List<string>();
        try
        {
            var names = new AsnReader(subjectAltName, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                if (names.PeekTag().HasSameClassAndValue(UriTag))
                {
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed SAN names no site; the caller treats the certificate as a non-site certificate.
        }

        return uris;
    }
}
