using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fornax.Core.Validation;

namespace Fornax.Hierarchy.Identity;

/// <summary>
/// The tree's certificate authority. Only the root site holds it (<c>DATA/pki/ca.crt</c> + <c>ca.key</c>);
/// every other site's certificate is signed here, the signing request travelling up the tree from parent to parent.
/// </summary>
public sealed class TreeCertificateAuthority : IDisposable
{
    private readonly ECDsa _key;
    private readonly PkiOptions _options;

    private TreeCertificateAuthority(X509Certificate2 certificate, ECDsa key, PkiOptions options)
    {
        Certificate = certificate;
        _key = key;
        _options = options;
    }

    /// <summary>The CA certificate (public part only): the trust anchor every site pins.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary><c>sha256:&lt;hex&gt;</c> of the CA certificate, for joining sites to check out of band.</summary>
    public string Fingerprint => SiteCertificates.Fingerprint(Certificate);

    /// <summary>True when <c>DATA/pki/ca.crt</c> exists, i.e. this site is (or was) the root of a tree.</summary>
    public static bool Exists(PkiOptions options) => File.Exists(Path.Combine(options.PkiDirectory, PkiFiles.CaCertificate));

    /// <summary>For the root site: loads the tree CA, or creates and persists it on first start.</summary>
    public static TreeCertificateAuthority LoadOrCreate(PkiOptions options) => TryLoad(options) ?? Create(options);

    /// <summary>Loads the tree CA, or returns null when this site has none (it is not the root).</summary>
    /// <exception cref="InvalidDataException">The files exist but are incomplete, unreadable or do not belong together.</exception>
    public static TreeCertificateAuthority? TryLoad(PkiOptions options)
    {
        options.Validate();
        var certificatePath = Path.Combine(options.PkiDirectory, PkiFiles.CaCertificate);
        var keyPath = Path.Combine(options.PkiDirectory, PkiFiles.CaKey);
        if (!File.Exists(certificatePath))
        {
            return null;
        }

        if (!File.Exists(keyPath))
        {
            throw new InvalidDataException($"{certificatePath} exists but {keyPath} is missing: restore it, or delete {options.PkiDirectory} to start a new tree");
        }

        X509Certificate2 certificate;
        var key = ECDsa.Create();
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(Pem.ReadSingleCertificate(certificatePath));
            key.ImportFromPem(File.ReadAllText(keyPath));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new InvalidDataException($"{options.PkiDirectory}: the tree CA cannot be read: {e.Message}", e);
        }

        if (!Pem.SamePublicKey(certificate, key))
        {
            key.Dispose();
            throw new InvalidDataException($"{keyPath} is not the key of {certificatePath}");
        }

        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            key.Dispose();
            throw new InvalidDataException($"{certificatePath} is not a CA certificate");
        }

        return new TreeCertificateAuthority(certificate, key, options);
    }

    /// <summary>Creates a new tree CA (ECDSA P-256, self-signed) and writes it, replacing any existing one.</summary>
    public static TreeCertificateAuthority Create(PkiOptions options)
    {
        options.Validate();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("Fornax");
        // A random tree id keeps the CAs of two trees distinguishable by name, not only by key.
        subject.AddOrganizationalUnitName($"tree {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        subject.AddCommonName(options.CaCommonName);

        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        // Path length 0: the CA signs site certificates only, never another CA.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = options.TimeProvider.GetUtcNow();
        using var selfSigned = request.CreateSelfSigned(now - options.ClockSkew, now + options.CaValidity);
        var certificate = X509CertificateLoader.LoadCertificate(selfSigned.RawData);

        // The key first: a crash between the two writes leaves no ca.crt, so the next start simply creates a new CA.
        PkiFiles.WriteAtomically(Path.Combine(options.PkiDirectory, PkiFiles.CaKey), key.ExportPkcs8PrivateKeyPem(), secret: true);
        PkiFiles.WriteAtomically(Path.Combine(options.PkiDirectory, PkiFiles.CaCertificate), certificate.ExportCertificatePem(), secret: false);
        return new TreeCertificateAuthority(certificate, key, options);
    }

    /// <summary>
    /// Signs a joining site's certificate signing request. Only the request's public key is used (its proof of
    /// possession is checked); the subject, names and usages come from here: CN and DNS SAN <paramref name="siteName"/>,
    /// IP SAN 127.0.0.1, URI SAN <c>fornax://site/&lt;sitePath&gt;</c>, EKU client + server auth.
    /// </summary>
    /// <param name="csrPem">A PKCS#10 request in PEM (<c>-----BEGIN CERTIFICATE REQUEST-----</c>).</param>
    /// <param name="siteName">The site's name, the last segment of <paramref name="sitePath"/>.</param>
    /// <param name="sitePath">The site's path from the root, e.g. <c>cloud/east/shop-12</c>.</param>
    /// <exception cref="ArgumentException">The request, name or path is not acceptable; the message says why.</exception>
    public SignedSiteCertificate SignSiteCertificate(string csrPem, string siteName, string sitePath)
    {
        if (!Names.IsDnsLabel(siteName))
        {
            throw new ArgumentException($"siteName: \"{siteName}\" is not a valid site name (lowercase letters, digits and '-', at most 63 characters)", nameof(siteName));
        }

        if (!SiteCertificates.IsValidSitePath(sitePath) || sitePath.Split('/')[^1] != siteName)
        {
            throw new ArgumentException($"sitePath: \"{sitePath}\" is not a site path ending in the site's name \"{siteName}\" (like cloud/east/{siteName})", nameof(sitePath));
        }

        var publicKey = ReadRequestPublicKey(csrPem);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("Fornax");
        subject.AddCommonName(siteName);

        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(siteName);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddUri(SiteCertificates.ToUri(sitePath));

        var request = new CertificateRequest(subject.Build(), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        // Signatures only: TLS 1.2 ECDHE and TLS 1.3 never encrypt with the certificate key.
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(SiteCertificates.ServerAuthOid), new Oid(SiteCertificates.ClientAuthOid)], critical: false));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var now = _options.TimeProvider.GetUtcNow();
        var notAfter = now + _options.SiteCertificateValidity;
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter; // a certificate cannot outlive its issuer
        }

        // RFC 5280 §4.1.2.2: a positive serial of at most 20 bytes; 16 random bytes make collisions moot.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        using var certificate = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now - _options.ClockSkew, notAfter, serial);
        return new SignedSiteCertificate(certificate.ExportCertificatePem(), CertificatePem);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the problem unless <paramref name="csrPem"/> is a valid, self-signed
    /// PEM request. A site that forwards CSRs to the root checks them first, so a bad one never uses up a join token.
    /// </summary>
    public static void CheckSigningRequest(string csrPem) => ReadRequestPublicKey(csrPem);

    private static PublicKey ReadRequestPublicKey(string csrPem)
    {
        CertificateRequest request;
        try
        {
            // Default options verify the request's self-signature: the requester holds the private key.
            request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"csr: not a valid, self-signed PEM certificate signing request ({e.Message})", nameof(csrPem), e);
        }

        var key = request.PublicKey;
        using (var ec = key.GetECDsaPublicKey())
        {
            if (ec is not null)
            {
                return ec.KeySize is 256 or 384
                    ? key
                    : throw new ArgumentException($"csr: an ECDSA key of {ec.KeySize} bits is not accepted (use P-256 or P-384)", nameof(csrPem));
            }
        }

        using (var rsa = key.GetRSAPublicKey())
        {
            if (rsa is not null)
            {
                return rsa.KeySize >= 2048
                    ? key
                    : throw new ArgumentException($"csr: an RSA key of {rsa.KeySize} bits is too small (at least 2048)", nameof(csrPem));
            }
        }

        throw new ArgumentException($"csr: key algorithm {key.Oid.FriendlyName ?? key.Oid.Value} is not accepted (use ECDSA P-256)", nameof(csrPem));
    }
}
