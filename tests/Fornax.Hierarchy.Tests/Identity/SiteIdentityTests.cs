using System.Security.Cryptography.X509Certificates;
using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

public sealed class SiteIdentityTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Complete_PersistsKeyCertAndTrust_AndTryLoadReadsThemBack()
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        var options = _pki.Options("shop-12");
        Assert.Null(SiteIdentity.TryLoad(options));
        using var request = SiteSigningRequest.Create("shop-12");

        using (var joined = SiteIdentity.Complete(options, request, ca.SignSiteCertificate(request.Pem, "shop-12", "cloud/east/shop-12"), ca.Fingerprint))
        {
            Assert.Equal("cloud/east/shop-12", joined.SitePath);
            Assert.Equal("shop-12", joined.SiteName);
            Assert.True(joined.Certificate.HasPrivateKey);
        }

        using var loaded = SiteIdentity.TryLoad(options);
        Assert.NotNull(loaded);
        Assert.Equal("cloud/east/shop-12", loaded.SitePath);
        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal(ca.Certificate.RawData, loaded.TrustAnchor.RawData);
        Assert.Equal(TestPki.Start.AddDays(365), loaded.NotAfter);
        foreach (var file in new[] { "site.crt", "site.key", "trust.crt" })
        {
            Assert.True(File.Exists(Path.Combine(options.PkiDirectory, file)), file);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(options.PkiDirectory, "site.key")));
        }
    }

    [Fact]
    public void CreateForRoot_GivesTheRootASiteCertificateAtItsOwnName()
    {
        var options = _pki.Options("cloud");
        using var ca = TreeCertificateAuthority.LoadOrCreate(options);

        using var root = SiteIdentity.CreateForRoot(options, ca, "cloud");

        Assert.Equal("cloud", root.SitePath);
        Assert.Equal("cloud", SiteIdentity.TryLoad(options)!.SitePath);
    }

    [Fact]
    public void Complete_UnexpectedCaFingerprint_WritesNothing()
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        var options = _pki.Options("shop-1");
        using var request = SiteSigningRequest.Create("shop-1");
        var signed = ca.SignSiteCertificate(request.Pem, "shop-1", "cloud/shop-1");

        var error = Assert.Throws<ArgumentException>(() => SiteIdentity.Complete(options, request, signed, "sha256:" + new string('0', 64)));

        Assert.Contains("not the expected sha256:000", error.Message);
        Assert.False(Directory.Exists(options.PkiDirectory));
    }

    [Fact]
    public void Complete_CertificateForAnotherKey_IsRefused()
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        using var mine = SiteSigningRequest.Create("shop-1");
        using var theirs = SiteSigningRequest.Create("shop-1");

        var error = Assert.Throws<ArgumentException>(() => SiteIdentity.Complete(_pki.Options("shop-1"), mine, ca.SignSiteCertificate(theirs.Pem, "shop-1", "cloud/shop-1")));
        Assert.Contains("not for this site's key", error.Message);
    }

    [Fact]
    public void Complete_CertificateForAnotherSiteName_IsRefused()
    {
        using var ca = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        using var request = SiteSigningRequest.Create("shop-1");

        var error = Assert.Throws<ArgumentException>(() => SiteIdentity.Complete(_pki.Options("shop-1"), request, ca.SignSiteCertificate(request.Pem, "shop-2", "cloud/shop-2")));
        Assert.Contains("is for site \"cloud/shop-2\", not for \"shop-1\"", error.Message);
    }

    [Fact]
    public void ValidatePeer_SiteOfTheSameTree_IsAcceptedWithItsPath()
    {
        var (ca, child) = _pki.Tree("cloud", "cloud/east");
        using var _ = ca;
        using var __ = child;
        using var sibling = _pki.Join(ca, "cloud/west");

        Assert.Equal(PeerValidation.Valid("cloud/west"), child.ValidatePeer(sibling.Certificate, SiteCertificateUsage.Client));
        Assert.True(child.ValidatePeer(sibling.Certificate, SiteCertificateUsage.Server, expectedSitePath: "cloud/west").IsValid);
    }

    [Fact]
    public void ValidatePeer_CertificateFromAnotherTree_IsRefused()
    {
        var (ca, child) = _pki.Tree("cloud", "cloud/east");
        var (otherCa, stranger) = _pki.Tree("other", "other/east");
        using var _ = ca;
        using var __ = child;
        using var ___ = otherCa;
        using var ____ = stranger;

        var result = child.ValidatePeer(stranger.Certificate, SiteCertificateUsage.Client);

        Assert.False(result.IsValid);
        Assert.Contains("does not chain to the tree CA", result.Error);
    }

    [Fact]
    public void ValidatePeer_NotTheExpectedSite_IsRefused()
    {
        var (ca, child) = _pki.Tree("cloud", "cloud/east");
        using var _ = ca;
        using var __ = child;
        using var sibling = _pki.Join(ca, "cloud/west");

        var result = child.ValidatePeer(sibling.Certificate, SiteCertificateUsage.Server, expectedSitePath: "cloud");

        Assert.Equal("the peer is site \"cloud/west\", expected \"cloud\"", result.Error);
    }

    [Fact]
    public void ValidatePeer_ExpiredCertificate_IsRefused_ButTheSiteStillLoads()
    {
        var rootOptions = _pki.Options("cloud");
        using var ca = TreeCertificateAuthority.LoadOrCreate(rootOptions);
        using var root = SiteIdentity.CreateForRoot(rootOptions, ca, "cloud");
        using var sibling = _pki.Join(ca, "cloud/west");
        _pki.FakeTime.Advance(TimeSpan.FromDays(366));

        var result = root.ValidatePeer(sibling.Certificate, SiteCertificateUsage.Client);

        Assert.False(result.IsValid);
        Assert.Contains("NotTimeValid", result.Error);
        using var reloaded = SiteIdentity.TryLoad(rootOptions); // autonomy: an expired site still starts
        Assert.Equal("cloud", reloaded!.SitePath);
    }

    [Fact]
    public void ValidatePeer_TheCaCertificateItself_IsNotASite()
    {
        var (ca, child) = _pki.Tree("cloud", "cloud/east");
        using var _ = ca;
        using var __ = child;

        var result = child.ValidatePeer(ca.Certificate, SiteCertificateUsage.Client);

        Assert.False(result.IsValid);
        Assert.Contains("is not a site certificate", result.Error);
    }

    [Fact]
    public void ValidatePeer_NoCertificate_IsRefused()
    {
        var (ca, child) = _pki.Tree("cloud", "cloud/east");
        using var _ = ca;
        using var __ = child;

        Assert.Equal("the peer presented no certificate", child.ValidatePeer(null, SiteCertificateUsage.Client).Error);
    }

    [Fact]
    public void GetSitePath_PlainCertificate_IsNull()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        using var plain = new CertificateRequest("CN=x", key, System.Security.Cryptography.HashAlgorithmName.SHA256).CreateSelfSigned(TestPki.Start, TestPki.Start.AddDays(1));

        Assert.Null(SiteCertificates.GetSitePath(plain));
    }
}
