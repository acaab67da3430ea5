using System.Net.Security;
using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

/// <summary>
/// A root site <c>east</c> (its own CA, a child <c>east/east-1</c>) moving into <c>cloud</c>'s tree: staged, applied,
/// trusted both ways while moving, and the old tree dropped when the move completes.
/// </summary>
public sealed class SiteIdentityMoveTests : IDisposable
{
    private readonly TestPki _pki = new(TimeProvider.System);
    private readonly TreeCertificateAuthority _eastCa;
    private readonly TreeCertificateAuthority _cloudCa;
    private readonly SiteIdentity _oldChild;
    private readonly SiteIdentity _cloud;

    public SiteIdentityMoveTests()
    {
        _eastCa = TreeCertificateAuthority.LoadOrCreate(_pki.Options("east"));
        SiteIdentity.CreateForRoot(_pki.Options("east"), _eastCa, "east").Dispose();
        _oldChild = _pki.Join(_eastCa, "east/east-1");
        _cloudCa = TreeCertificateAuthority.LoadOrCreate(_pki.Options("cloud"));
        _cloud = SiteIdentity.CreateForRoot(_pki.Options("cloud"), _cloudCa, "cloud");
    }

    private PkiOptions East => _pki.Options("east");

    private string PkiFile(string name) => Path.Combine(East.PkiDirectory, name);

    private void Stage(string path = "cloud/east")
    {
        using var request = SiteSigningRequest.Create("east");
        var signed = _cloudCa.SignSiteCertificate(request.Pem, "east", path);
        SiteIdentity.StageMove(East, request, signed, "cloud/east", new SiteMove("east", "cloud/east", ["east-1"]), new ParentInfo("cloud", "https://127.0.0.1:1", "http://127.0.0.1:2"));
    }

    [Fact]
    public void StagedMove_ChangesNothingUntilApplied_ThenTrustsBothTrees_UntilComplete()
    {
        Stage();
        using (var before = SiteIdentity.TryLoad(East)!)
        {
            Assert.Equal("east", before.SitePath);
            Assert.Null(before.Move);
        }

        Assert.True(SiteIdentity.ApplyStagedMove(East));
        Assert.False(SiteIdentity.ApplyStagedMove(East));
        using var moving = SiteIdentity.TryLoad(East)!;

        Assert.Equal("cloud/east", moving.SitePath);
        Assert.Equal(("east", "cloud/east"), (moving.Move!.From, moving.Move.To));
        Assert.Equal(SiteCertificates.Fingerprint(_eastCa.Certificate), SiteCertificates.Fingerprint(moving.PreviousTrustAnchor!));
        Assert.False(TreeCertificateAuthority.Exists(East));
        Assert.Equal("cloud", ParentInfo.TryLoad(East.DataDirectory)!.Path);
        // A child still on the old tree and the new parent are both accepted while moving.
        Assert.Equal("east/east-1", moving.ValidatePeer(_oldChild.Certificate, SiteCertificateUsage.Client).SitePath);
        Assert.True(moving.ValidatePeer(_cloud.Certificate, SiteCertificateUsage.Server, "cloud").IsValid);
        Assert.False(moving.TryCompleteMove());

        var sessions = moving.PreviousTreeSessions;
        moving.ChildMoved("east-1");
        Assert.False(moving.TryCompleteMove()); // the parent has not been seen on the new tree yet
        Assert.True(moving.CreateClientAuthenticationOptions("cloud").RemoteCertificateValidationCallback!(this, _cloud.Certificate, null, SslPolicyErrors.None));
        Assert.True(moving.TryCompleteMove());

        Assert.Null(moving.Move);
        Assert.True(sessions.IsCancellationRequested);
        var refused = moving.ValidatePeer(_oldChild.Certificate, SiteCertificateUsage.Client);
        Assert.False(refused.IsValid);
        Assert.Contains("does not chain to the tree CA", refused.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(East.PkiDirectory, "previous-*"));
        Assert.False(File.Exists(PkiFile("move.json")));
        using var reloaded = SiteIdentity.TryLoad(East)!;
        Assert.Null(reloaded.Move);
        Assert.Equal("cloud/east", reloaded.SitePath);
    }

    [Fact]
    public void ApplyStagedMove_CrashAfterTheNewKeyWasMovedIn_IsFinishedByTheNextStart()
    {
        Stage();
        // The first steps of an apply that crashed: the old identity kept, the new key moved in, the rest not.
        foreach (var file in new[] { "site.key", "trust.crt", "site.crt" })
        {
            File.Copy(PkiFile(file), PkiFile("previous-" + file));
        }

        File.Move(Path.Combine(East.PkiDirectory, "incoming", "site.key"), PkiFile("site.key"), overwrite: true);

        Assert.True(SiteIdentity.ApplyStagedMove(East));
        using var moved = SiteIdentity.TryLoad(East)!;

        Assert.Equal("cloud/east", moved.SitePath);
        Assert.Equal("east/east-1", moved.ValidatePeer(_oldChild.Certificate, SiteCertificateUsage.Client).SitePath);
    }

    [Fact]
    public void StageMove_CertificateForAnotherPath_StagesNothing()
    {
        var error = Assert.Throws<ArgumentException>(() => Stage(path: "cloud/west/east"));

        Assert.Contains("not for \"cloud/east\"", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(East.PkiDirectory, "incoming")));
        Assert.False(SiteIdentity.ApplyStagedMove(East));
        using var unchanged = SiteIdentity.TryLoad(East)!;
        Assert.Equal("east", unchanged.SitePath);
        Assert.True(TreeCertificateAuthority.Exists(East));
    }

    public void Dispose()
    {
        _oldChild.Dispose();
        _cloud.Dispose();
        _eastCa.Dispose();
        _cloudCa.Dispose();
        _pki.Dispose();
    }
}
