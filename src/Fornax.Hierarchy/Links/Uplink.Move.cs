using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links.Protocol;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// The child's side of a move (attachment): its parent moved into another tree and says so after Welcome. The child
/// asks, over this same authenticated link, for a certificate at its new path (the parent forwards the request to the
/// new root), stages it with the move record, and asks its node to restart on it. Any failure ends the session; the
/// next session gets the notice again, so the renewal is retried until it succeeds.
/// </summary>
public sealed partial class Uplink
{
    private int _moveStaged;

    /// <summary>Called once a new-tree identity is staged: the node restarts to switch to it (see <see cref="SiteIdentity.ApplyStagedMove"/>).</summary>
    public Func<Task>? MoveStaged { get; set; }

    private async Task RenewForMoveAsync(TreeMove notice, CancellationToken ct)
    {
        if (Volatile.Read(ref _moveStaged) == 1)
        {
            return; // staged already; the restart is on its way
        }

        var children = await SubtreeSites.PathsUnderAsync(_store, _self.Path, ct);
        var move = new SiteMove(notice.From, notice.To, SubtreeSites.DirectChildren(children.Concat(_downlinks.Children.Select(c => c.Path)), _self.Path));
        var newPath = move.Rebase(_self.Path)
            ?? throw new InvalidOperationException($"the parent moves {notice.From} to {notice.To}, which does not contain this site ({_self.Path})");
        var channel = _channel ?? throw new InvalidOperationException("the link to the parent is down");
        using var request = SiteSigningRequest.Create(_self.Name);
        var reply = await new SiteLink.SiteLinkClient(channel).SignAsync(new SignRequest { CsrPem = request.Pem, Name = _self.Name, Path = newPath }, cancellationToken: ct);
        var signed = new SignedSiteCertificate(reply.CertificatePem, reply.CaChainPem);
        if (!Pem.DecodeCertificates(reply.CaChainPem, "CA chain").Any(c => Pem.DecodeCertificates(notice.CaChainPem, "move CA").Any(n => n.AsSpan().SequenceEqual(c))))
        {
            throw new InvalidOperationException("the renewed certificate does not come with the CA the move announced");
        }

        var pki = new PkiOptions { DataDirectory = _dataDirectory, TimeProvider = _options.TimeProvider };
        SiteIdentity.StageMove(pki, request, signed, newPath, move, parent: null);
        Interlocked.Exchange(ref _moveStaged, 1);
        LogMoveStaged(_self.Path, newPath, move.PendingChildren.Count);
        if (MoveStaged is { } restart)
        {
            await restart();
        }
    }

    [LoggerMessage(EventId = 326, Level = LogLevel.Information, Message = "Moving into the parent's new tree: {OldPath} becomes {NewPath}; certificate staged, {Children} children to move")]
    private partial void LogMoveStaged(string oldPath, string newPath, int children);
}
