using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fornax.Store.Files;

namespace Fornax.Hierarchy.Identity;

// Moving into another tree (attachment, docs/tree.md "Attaching a subtree"). A moving site holds two identities:
// the new one (new tree's CA, new path), used on its uplink and shown to children that already moved, and the
// previous one, shown on its link listener while some child still holds an old-tree certificate. Until the move
// completes it accepts peers of either tree, so no link breaks half-way; completing drops the old tree entirely.
public sealed partial class SiteIdentity
{
    private const string IncomingDirectory = "incoming";
    private const string PreviousPrefix = "previous-";

    private readonly Lock _moveGate = new();
    private SiteMove? _move;
    private X509Certificate2? _previousCertificate;
    private X509Certificate2? _previousTrust;
    private CancellationTokenSource? _previousTreeSessions;
    private volatile bool _parentOnCurrentTree;

    /// <summary>The move in progress, or null when this site lives in one tree only.</summary>
    public SiteMove? Move => _move;

    /// <summary>The old tree's CA while a move is in progress (also trusted until it completes); otherwise null.</summary>
    public X509Certificate2? PreviousTrustAnchor => _previousTrust;

    /// <summary>Raised once, after the move completed and the old tree stopped being trusted.</summary>
    public event Action? MoveCompleted;

    /// <summary>
    /// Cancelled when the move completes: link sessions opened while this site still presented its old-tree
    /// certificate end, so their children reconnect and see the new one.
    /// </summary>
    public CancellationToken PreviousTreeSessions => _previousTreeSessions?.Token ?? CancellationToken.None;

    /// <summary>What the link listener presents: the old-tree certificate while a child still holds an old-tree certificate (it trusts nothing else).</summary>
    internal X509Certificate2 PresentedCertificate =>
        _move is { HasPendingChildren: true } && _previousCertificate is { } previous ? previous : Certificate;

    private string MoveFile => Path.Combine(_options.PkiDirectory, SiteMove.FileName);

    /// <summary>A direct child connected with a certificate of the new tree: it has moved.</summary>
    public void ChildMoved(string childName) => StopWaitingFor(childName);

    /// <summary>
    /// A direct child was forgotten (<c>fornax site forget</c>): the move no longer waits for it, so the old tree's CA stops
    /// being trusted once the other children have moved. Idempotent.
    /// </summary>
    public void ChildForgotten(string childName) => StopWaitingFor(childName);

    private void StopWaitingFor(string childName)
    {
        if (_move is { } move && move.MarkMoved(childName))
        {
            lock (_moveGate)
            {
                if (_move == move)
                {
                    move.Save(MoveFile);
                }
            }
        }

        TryCompleteMove();
    }

    /// <summary>
    /// Completes the move when every direct child has moved and the parent presented a certificate of the new tree
    /// (for the top of the moved subtree: at once). Deletes the old identity and the old CA; true when it completed.
    /// </summary>
    public bool TryCompleteMove()
    {
        CancellationTokenSource? sessions;
        lock (_moveGate)
        {
            if (_move is not { } move || move.HasPendingChildren || !_parentOnCurrentTree)
            {
                return false;
            }

            // The record first: without it, previous-* files are leftovers that LoadMove deletes.
            File.Delete(MoveFile);
            DeletePreviousFiles(_options.PkiDirectory);
            _move = null;
            _previousCertificate = null;
            _previousTrust = null;
            sessions = _previousTreeSessions;
            _previousTreeSessions = null;
        }

        sessions?.Cancel();
        sessions?.Dispose();
        MoveCompleted?.Invoke();
        return true;
    }

    /// <summary>
    /// Writes a certificate for the new tree into <c>DATA/pki/incoming</c>, checked as <see cref="Complete"/> checks a
    /// join, with the move record (and, for the top of the subtree, the new parent) last: its presence marks the
    /// staging complete. Nothing of the running identity changes until <see cref="ApplyStagedMove"/> at the next start.
    /// </summary>
    /// <exception cref="ArgumentException">The certificate does not fit the request or is not for <paramref name="expectedPath"/>; nothing is staged.</exception>
    public static void StageMove(PkiOptions options, SiteSigningRequest request, SignedSiteCertificate signed, string expectedPath, SiteMove move, ParentInfo? parent)
    {
        using var identity = Verify(options, request, signed, expectedCaFingerprint: null, logger: null);
        if (identity.SitePath != expectedPath)
        {
            throw new ArgumentException($"the new certificate is for \"{identity.SitePath}\", not for \"{expectedPath}\"", nameof(signed));
        }

        var incoming = Path.Combine(options.PkiDirectory, IncomingDirectory);
        if (Directory.Exists(incoming))
        {
            Directory.Delete(incoming, recursive: true); // an earlier staging that was never applied
        }

        Persist(incoming, request.Key, identity);
        parent?.SaveTo(Path.Combine(incoming, "parent.json"));
        move.Save(Path.Combine(incoming, SiteMove.FileName));
    }

    /// <summary>
    /// At start, before <see cref="TryLoad"/>: switches to a staged move. The current identity becomes the previous one,
    /// the old tree CA (at the top of the subtree) is retired, the staged identity becomes current. Every step can be
    /// repeated, so a crash anywhere in here is finished by the next start. False when nothing was staged.
    /// </summary>
    public static bool ApplyStagedMove(PkiOptions options)
    {
        options.Validate();
        var pki = options.PkiDirectory;
        var incoming = Path.Combine(pki, IncomingDirectory);
        var staged = Path.Combine(incoming, SiteMove.FileName);
        if (!File.Exists(staged))
        {
            if (Directory.Exists(incoming))
            {
                Directory.Delete(incoming, recursive: true); // staging was cut short: this site never moved
            }

            return false;
        }

        string In(string name) => Path.Combine(pki, name);
        if (!File.Exists(In(PreviousPrefix + PkiFiles.SiteCertificate)))
        {
            PkiFiles.WriteAtomically(In(PreviousPrefix + PkiFiles.SiteKey), File.ReadAllText(In(PkiFiles.SiteKey)), secret: true);
            PkiFiles.WriteAtomically(In(PreviousPrefix + PkiFiles.Trust), File.ReadAllText(In(PkiFiles.Trust)), secret: false);
            PkiFiles.WriteAtomically(In(PreviousPrefix + PkiFiles.SiteCertificate), File.ReadAllText(In(PkiFiles.SiteCertificate)), secret: false);
        }

        // The certificate before the key: a ca.crt without ca.key is an error at load, a lone key is ignored.
        foreach (var file in new[] { PkiFiles.CaCertificate, PkiFiles.CaKey })
        {
            if (File.Exists(In(file)))
            {
                File.Move(In(file), In(PreviousPrefix + file), overwrite: true);
            }
        }

        foreach (var file in new[] { PkiFiles.SiteKey, PkiFiles.Trust, PkiFiles.SiteCertificate })
        {
            if (File.Exists(Path.Combine(incoming, file)))
            {
                File.Move(Path.Combine(incoming, file), In(file), overwrite: true);
            }
        }

        if (File.Exists(Path.Combine(incoming, "parent.json")))
        {
            var parentFile = ParentInfo.FileOf(options.DataDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(parentFile)!);
            File.Move(Path.Combine(incoming, "parent.json"), parentFile, overwrite: true);
        }

        // The renames above must be on disk before the move record leaves incoming/: after a power cut, a record still
        // in incoming/ makes the next start repeat them, one outside it means they all happened.
        DirectoryFlush.Flush(pki);
        if (File.Exists(ParentInfo.FileOf(options.DataDirectory)))
        {
            DirectoryFlush.Flush(Path.GetDirectoryName(ParentInfo.FileOf(options.DataDirectory))!);
        }

        File.Move(staged, In(SiteMove.FileName), overwrite: true);
        DirectoryFlush.Flush(pki);
        Directory.Delete(incoming, recursive: true);
        return true;
    }

    /// <summary>Remembers whether the parent's certificate, just accepted on the uplink, belongs to the current tree.</summary>
    private void NoteParentCertificate(X509Certificate certificate)
    {
        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        _parentOnCurrentTree = SiteCertificates.Validate(copy, TrustAnchor, SiteCertificateUsage.Server, _options.TimeProvider.GetUtcNow()).IsValid;
    }

    /// <summary>During a move: a peer of the old tree, at its old path when an expected (new) path is given.</summary>
    private PeerValidation? ValidateOnPreviousTree(X509Certificate2 certificate, SiteCertificateUsage usage, string? expectedSitePath)
    {
        if (_move is not { } move || _previousTrust is not { } previous)
        {
            return null;
        }

        var result = SiteCertificates.Validate(certificate, previous, usage, _options.TimeProvider.GetUtcNow());
        var expected = expectedSitePath is null ? null : move.Unrebase(expectedSitePath) ?? expectedSitePath;
        return result.IsValid && (expected is null || result.SitePath == expected) ? result : null;
    }

    /// <summary>Called by <see cref="TryLoad"/>: the move in progress and the old identity, or cleanup after a completed one.</summary>
    private void LoadMove()
    {
        var pki = _options.PkiDirectory;
        var move = SiteMove.TryLoad(MoveFile);
        if (move is null)
        {
            DeletePreviousFiles(pki);
            return;
        }

        var certificatePath = Path.Combine(pki, PreviousPrefix + PkiFiles.SiteCertificate);
        if (File.Exists(certificatePath))
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(Path.Combine(pki, PreviousPrefix + PkiFiles.SiteKey)));
            var certificate = X509CertificateLoader.LoadCertificate(Pem.ReadSingleCertificate(certificatePath));
            var trust = X509CertificateLoader.LoadCertificate(Pem.ReadSingleCertificate(Path.Combine(pki, PreviousPrefix + PkiFiles.Trust)));
            var previous = Build(certificate, key, trust, _options, _logger, certificatePath, validate: false);
            _previousCertificate = previous.Certificate;
            _previousTrust = previous.TrustAnchor;
        }

        _move = move;
        _previousTreeSessions = new CancellationTokenSource();
    }

    private static void DeletePreviousFiles(string pki)
    {
        foreach (var file in new[] { PkiFiles.SiteCertificate, PkiFiles.SiteKey, PkiFiles.Trust, PkiFiles.CaCertificate, PkiFiles.CaKey })
        {
            File.Delete(Path.Combine(pki, PreviousPrefix + file));
        }
    }
}
