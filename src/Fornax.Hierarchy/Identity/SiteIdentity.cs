using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fornax.Hierarchy.Identity;

/// <summary>
/// A site's own key and certificate and the tree CA it trusts (<c>DATA/pki/site.key</c>, <c>site.crt</c>,
/// <c>trust.crt</c>). Every site-to-site link is mutual TLS with these; see the <c>Create*</c> TLS helpers.
/// </summary>
public sealed partial class SiteIdentity : IDisposable
{
    private readonly PkiOptions _options;
    private readonly ILogger _logger;

    private SiteIdentity(X509Certificate2 certificate, X509Certificate2 trustAnchor, string sitePath, PkiOptions options, ILogger? logger)
    {
        Certificate = certificate;
        TrustAnchor = trustAnchor;
        SitePath = sitePath;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The site certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The tree CA: the only root this site trusts for links.</summary>
    public X509Certificate2 TrustAnchor { get; }

    /// <summary>The path the signer gave this site, e.g. <c>cloud/east/shop-12</c>.</summary>
    public string SitePath { get; }

    public string SiteName => SitePath.Split('/')[^1];

    /// <summary>When the site certificate expires; after that, links refuse it until the site joins again.</summary>
    public DateTimeOffset NotAfter => Certificate.NotAfter.ToUniversalTime();

    /// <summary>Loads the persisted identity, or returns null when this site has not joined yet.</summary>
    /// <exception cref="InvalidDataException">The files exist but are incomplete or do not belong together.</exception>
    public static SiteIdentity? TryLoad(PkiOptions options, ILogger? logger = null)
    {
        options.Validate();
        var certificatePath = Path.Combine(options.PkiDirectory, PkiFiles.SiteCertificate);
        if (!File.Exists(certificatePath))
        {
            return null;
        }

        var keyPath = Path.Combine(options.PkiDirectory, PkiFiles.SiteKey);
        var trustPath = Path.Combine(options.PkiDirectory, PkiFiles.Trust);
        foreach (var required in new[] { keyPath, trustPath })
        {
            if (!File.Exists(required))
            {
                throw new InvalidDataException($"{certificatePath} exists but {required} is missing: restore it, or delete {options.PkiDirectory} and join again");
            }
        }

        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            var certificate = X509CertificateLoader.LoadCertificate(Pem.ReadSingleCertificate(certificatePath));
            var trust = X509CertificateLoader.LoadCertificate(Pem.ReadSingleCertificate(trustPath));
            // No validity check here: a site whose certificate expired still starts and serves locally (autonomy);
            // its links fail with a clear error until it joins again.
            var identity = Build(certificate, key, trust, options, logger, certificatePath, validate: false);
            identity.LoadMove();
            return identity;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidDataException($"{options.PkiDirectory}: the site identity cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Finishes a join: checks that the signed certificate is for <paramref name="request"/>'s key and chains to
    /// the CA it came with (and, when given, that this CA has the fingerprint the operator expects), then persists all three.
    /// </summary>
    /// <param name="options">Where to persist the identity.</param>
    /// <param name="request">The request this site sent up; its key becomes the site key.</param>
    /// <param name="signed">What the parent sent back.</param>
    /// <param name="expectedCaFingerprint">
    /// <c>sha256:&lt;hex&gt;</c> printed by the root (<see cref="TreeCertificateAuthority.Fingerprint"/>); without it the
    /// first CA a parent presents is trusted (trust on first use, guarded only by the join token).
    /// </param>
    /// <param name="logger">Receives refused TLS peers.</param>
    /// <exception cref="ArgumentException">The answer does not fit the request; nothing is written.</exception>
    public static SiteIdentity Complete(PkiOptions options, SiteSigningRequest request, SignedSiteCertificate signed, string? expectedCaFingerprint = null, ILogger? logger = null)
    {
        var identity = Verify(options, request, signed, expectedCaFingerprint, logger);
        Persist(options.PkiDirectory, request.Key, identity);
        return identity;
    }

    /// <summary>The checks of <see cref="Complete"/>, without writing anything.</summary>
    private static SiteIdentity Verify(PkiOptions options, SiteSigningRequest request, SignedSiteCertificate signed, string? expectedCaFingerprint, ILogger? logger)
    {
        options.Validate();
        X509Certificate2 certificate;
        X509Certificate2 trust;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(Pem.DecodeCertificates(signed.CertificatePem, "certificate")[0]);
            // The anchor is the self-issued certificate at the top of the chain.
            trust = Pem.DecodeCertificates(signed.CaChainPem, "CA chain").Select(X509CertificateLoader.LoadCertificate).LastOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData))
                ?? throw new ArgumentException("CA chain: no self-signed CA certificate", nameof(signed));
        }
        catch (Exception e) when (e is CryptographicException or InvalidDataException)
        {
            throw new ArgumentException($"the signed certificate cannot be read: {e.Message}", nameof(signed), e);
        }

        if (expectedCaFingerprint is not null && !string.Equals(SiteCertificates.Fingerprint(trust), expectedCaFingerprint.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"the parent's tree CA has fingerprint {SiteCertificates.Fingerprint(trust)}, not the expected {expectedCaFingerprint}", nameof(expectedCaFingerprint));
        }

        var identity = Build(certificate, request.Key, trust, options, logger, "the signed certificate", validate: true);
        if (identity.SiteName != request.SiteName)
        {
            identity.Dispose();
            throw new ArgumentException($"the signed certificate is for site \"{identity.SitePath}\", not for \"{request.SiteName}\"", nameof(signed));
        }

        return identity;
    }

    /// <summary>Writes key, trust anchor and certificate into <paramref name="directory"/>; the certificate last, as its presence marks the identity complete (see TryLoad).</summary>
    private static void Persist(string directory, ECDsa key, SiteIdentity identity)
    {
        PkiFiles.WriteAtomically(Path.Combine(directory, PkiFiles.SiteKey), key.ExportPkcs8PrivateKeyPem(), secret: true);
        PkiFiles.WriteAtomically(Path.Combine(directory, PkiFiles.Trust), identity.TrustAnchor.ExportCertificatePem(), secret: false);
        PkiFiles.WriteAtomically(Path.Combine(directory, PkiFiles.SiteCertificate), identity.Certificate.ExportCertificatePem(), secret: false);
    }

    /// <summary>For the root site, which holds the CA: issues and persists its own site certificate.</summary>
    public static SiteIdentity CreateForRoot(PkiOptions options, TreeCertificateAuthority ca, string siteName, ILogger? logger = null)
    {
        using var request = SiteSigningRequest.Create(siteName);
        return Complete(options, request, ca.SignSiteCertificate(request.Pem, siteName, siteName), ca.Fingerprint, logger);
    }

    /// <summary>
    /// Checks a peer certificate against the tree CA at the current time; with <paramref name="expectedSitePath"/>,
    /// also that the peer is that very site (e.g. a child checking it reached its parent).
    /// </summary>
    public PeerValidation ValidatePeer(X509Certificate? peer, SiteCertificateUsage usage, string? expectedSitePath = null)
    {
        if (peer is null)
        {
            return PeerValidation.Invalid("the peer presented no certificate");
        }

        var owned = peer as X509Certificate2 is null;
        var certificate = peer as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(peer.GetRawCertData());
        try
        {
            var result = SiteCertificates.Validate(certificate, TrustAnchor, usage, _options.TimeProvider.GetUtcNow());
            if (result.IsValid && expectedSitePath is not null && result.SitePath != expectedSitePath)
            {
                result = PeerValidation.Invalid($"the peer is site \"{result.SitePath}\", expected \"{expectedSitePath}\"");
            }

            return result.IsValid ? result : ValidateOnPreviousTree(certificate, usage, expectedSitePath) ?? result;
        }
        finally
        {
            if (owned)
            {
                certificate.Dispose();
            }
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        TrustAnchor.Dispose();
    }

    private static SiteIdentity Build(X509Certificate2 certificate, ECDsa key, X509Certificate2 trust, PkiOptions options, ILogger? logger, string what, bool validate)
    {
        using var _ = certificate;
        if (!Pem.SamePublicKey(certificate, key))
        {
            throw new ArgumentException($"{what} is not for this site's key");
        }

        if (SiteCertificates.GetSitePath(certificate) is not { } sitePath)
        {
            throw new ArgumentException($"{what} is not a site certificate (no site path)");
        }

        // Validate both roles: a site is a TLS client towards its parent and a TLS server towards its children.
        foreach (var usage in validate ? [SiteCertificateUsage.Client, SiteCertificateUsage.Server] : Array.Empty<SiteCertificateUsage>())
        {
            var check = SiteCertificates.Validate(certificate, trust, usage, options.TimeProvider.GetUtcNow());
            if (!check.IsValid)
            {
                throw new ArgumentException($"{what}: {check.Error}");
            }
        }

        // SslStream on Windows cannot use an ephemeral (never persisted) key; a PKCS#12 round trip gives a usable one
        // everywhere. https://github.com/dotnet/runtime/issues/23749
        using var ephemeral = certificate.CopyWithPrivateKey(key);
        var usable = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        return new SiteIdentity(usable, trust, sitePath, options, logger);
    }
}
