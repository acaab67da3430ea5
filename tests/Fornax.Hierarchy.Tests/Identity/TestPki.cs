using Fornax.Hierarchy.Identity;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Hierarchy.Tests.Identity;

/// <summary>Temporary data directories for sites of one or more trees; deleted on dispose.</summary>
internal sealed class TestPki : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "fornax-pki-" + Guid.NewGuid().ToString("N"));

    public TestPki(TimeProvider? time = null) => Time = time ?? new FakeTimeProvider(Start);

    public TimeProvider Time { get; }

    public FakeTimeProvider FakeTime => (FakeTimeProvider)Time;

    public PkiOptions Options(string site) => new() { DataDirectory = Path.Combine(_root, site), TimeProvider = Time };

    /// <summary>A root site that holds the CA, and a child identity signed by it at <paramref name="childPath"/>.</summary>
    public (TreeCertificateAuthority Ca, SiteIdentity Child) Tree(string rootName, string childPath)
    {
        var ca = TreeCertificateAuthority.LoadOrCreate(Options(rootName));
        return (ca, Join(ca, childPath));
    }

    public SiteIdentity Join(TreeCertificateAuthority ca, string path)
    {
        var name = path.Split('/')[^1];
        using var request = SiteSigningRequest.Create(name);
        return SiteIdentity.Complete(Options(name + "-" + Guid.NewGuid().ToString("N")[..6]), request, ca.SignSiteCertificate(request.Pem, name, path), ca.Fingerprint);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
