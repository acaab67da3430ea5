using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

public sealed class TreeCertificateAuthorityTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void LoadOrCreate_FirstStart_CreatesA10YearP256CaUnderPki()
    {
        var options = _pki.Options("cloud");
        Assert.False(TreeCertificateAuthority.Exists(options));
        Assert.Null(TreeCertificateAuthority.TryLoad(options));

        using var ca = TreeCertificateAuthority.LoadOrCreate(options);

        Assert.True(TreeCertificateAuthority.Exists(options));
        Assert.True(File.Exists(Path.Combine(options.PkiDirectory, "ca.crt")));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(options.PkiDirectory, "ca.key")));
        var constraints = Assert.Single(ca.Certificate.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        var usage = Assert.Single(ca.Certificate.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        using var key = ca.Certificate.GetECDsaPublicKey();
        Assert.Equal(256, key!.KeySize);
        Assert.Equal(TestPki.Start.AddDays(3650), new DateTimeOffset(ca.Certificate.NotAfter.ToUniversalTime()));
        Assert.Equal(ca.Certificate.Subject, ca.Certificate.Issuer);
        Assert.False(ca.Certificate.HasPrivateKey); // the public face never carries the key
    }

    [Fact]
    public void LoadOrCreate_SecondStart_LoadsTheSameCaAndItStillSigns()
    {
        var options = _pki.Options("cloud");
        string fingerprint;
        using (var created = TreeCertificateAuthority.LoadOrCreate(options))
        {
            fingerprint = created.Fingerprint;
        }

        using var loaded = TreeCertificateAuthority.LoadOrCreate(options);
        Assert.Equal(fingerprint, loaded.Fingerprint);

        using var request = SiteSigningRequest.Create("east");
        var signed = loaded.SignSiteCertificate(request.Pem, "east", "cloud/east");
        using var certificate = X509Certificate2.CreateFromPem(signed.CertificatePem);
        Assert.True(SiteCertificates.Validate(certificate, loaded.Certificate, SiteCertificateUsage.Client, TestPki.Start).IsValid);
    }

    [Fact]
    public void Create_KeyFile_IsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only
        }

        var options = _pki.Options("cloud");
        using var ca = TreeCertificateAuthority.Create(options);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(options.PkiDirectory, "ca.key")));
        Assert.Empty(Directory.GetFiles(options.PkiDirectory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void TryLoad_KeyMissing_SaysWhatToDo()
    {
        var options = _pki.Options("cloud");
        TreeCertificateAuthority.Create(options).Dispose();
        File.Delete(Path.Combine(options.PkiDirectory, "ca.key"));

        var error = Assert.Throws<InvalidDataException>(() => TreeCertificateAuthority.TryLoad(options));
        Assert.Contains("ca.key is missing", error.Message);
    }

    [Fact]
    public void TryLoad_KeyFromAnotherCa_IsRefused()
    {
        var options = _pki.Options("cloud");
        var other = _pki.Options("other");
        TreeCertificateAuthority.Create(options).Dispose();
        TreeCertificateAuthority.Create(other).Dispose();
        File.Copy(Path.Combine(other.PkiDirectory, "ca.key"), Path.Combine(options.PkiDirectory, "ca.key"), overwrite: true);

        var error = Assert.Throws<InvalidDataException>(() => TreeCertificateAuthority.TryLoad(options));
        Assert.Contains("is not the key of", error.Message);
    }

    [Fact]
    public void SignSiteCertificate_ChainsToTheCaAndCarriesNameIpPathAndBothUsages()
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        using var request = SiteSigningRequest.Create("shop-12");

        var signed = ca.SignSiteCertificate(request.Pem, "shop-12", "cloud/east/shop-12");

        using var certificate = X509Certificate2.CreateFromPem(signed.CertificatePem);
        Assert.Equal(ca.CertificatePem, signed.CaChainPem);
        Assert.Equal("cloud/east/shop-12", SiteCertificates.GetSitePath(certificate));
        var names = Assert.Single(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["shop-12"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback], names.EnumerateIPAddresses());
        var usages = Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()).EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages.Order());
        Assert.False(Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);
        Assert.Equal(TestPki.Start.AddDays(365), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        Assert.Equal(ca.Certificate.Subject, certificate.Issuer);
        foreach (var usage in new[] { SiteCertificateUsage.Client, SiteCertificateUsage.Server })
        {
            Assert.Equal(PeerValidation.Valid("cloud/east/shop-12"), SiteCertificates.Validate(certificate, ca.Certificate, usage, TestPki.Start));
        }
    }

    [Fact]
    public void SignSiteCertificate_IgnoresWhatTheRequestAsksFor()
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var greedy = new CertificateRequest("CN=cloud", key, HashAlgorithmName.SHA256);
        greedy.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri("fornax://site/cloud"));
        greedy.CertificateExtensions.Add(names.Build());

        var signed = ca.SignSiteCertificate(greedy.CreateSigningRequestPem(), "shop-1", "cloud/shop-1");

        using var certificate = X509Certificate2.CreateFromPem(signed.CertificatePem);
        Assert.Equal("O=Fornax, CN=shop-1", certificate.Subject);
        Assert.Equal("cloud/shop-1", SiteCertificates.GetSitePath(certificate));
        Assert.False(Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);
    }

    [Theory]
    [InlineData("shop-1", "cloud/other", "sitePath")]
    [InlineData("shop-1", "cloud//shop-1", "sitePath")]
    [InlineData("Shop_1", "cloud/Shop_1", "siteName")]
    [InlineData("shop-1", "", "sitePath")]
    public void SignSiteCertificate_BadNameOrPath_NamesTheField(string name, string path, string field)
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        using var request = SiteSigningRequest.Create("shop-1");

        var error = Assert.Throws<ArgumentException>(() => ca.SignSiteCertificate(request.Pem, name, path));
        Assert.StartsWith($"{field}: ", error.Message);
    }

    [Fact]
    public void SignSiteCertificate_TamperedRequest_IsRefused()
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        using var request = SiteSigningRequest.Create("shop-1");
        var der = PemEncoding.Find(request.Pem) is var fields ? Convert.FromBase64String(request.Pem[fields.Base64Data]) : [];
        der[^5] ^= 0xFF; // inside the signature: proof of possession fails
        var tampered = PemEncoding.WriteString("CERTIFICATE REQUEST", der);

        var error = Assert.Throws<ArgumentException>(() => ca.SignSiteCertificate(tampered, "shop-1", "cloud/shop-1"));
        Assert.StartsWith("csr: ", error.Message);
        Assert.Throws<ArgumentException>(() => ca.SignSiteCertificate("not pem", "shop-1", "cloud/shop-1"));
    }

    [Fact]
    public void SignSiteCertificate_WeakRsaKey_IsRefused()
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        using var rsa = RSA.Create(1024);
        var request = new CertificateRequest("CN=shop-1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var error = Assert.Throws<ArgumentException>(() => ca.SignSiteCertificate(request.CreateSigningRequestPem(), "shop-1", "cloud/shop-1"));
        Assert.Contains("1024 bits is too small", error.Message);
    }

    [Fact]
    public void SignSiteCertificate_NearTheCaEnd_DoesNotOutliveTheCa()
    {
        var options = _pki.Options("cloud") with { CaValidity = TimeSpan.FromDays(100) };
        using var ca = TreeCertificateAuthority.Create(options);
        using var request = SiteSigningRequest.Create("shop-1");

        using var certificate = X509Certificate2.CreateFromPem(ca.SignSiteCertificate(request.Pem, "shop-1", "cloud/shop-1").CertificatePem);
        Assert.Equal(ca.Certificate.NotAfter, certificate.NotAfter);
    }

    [Fact]
    public void Options_Invalid_NameTheField()
    {
        var error = Assert.Throws<ArgumentException>(() => TreeCertificateAuthority.Create(_pki.Options("cloud") with { CaValidity = TimeSpan.Zero }));
        Assert.StartsWith("CaValidity: ", error.Message);
    }
}
