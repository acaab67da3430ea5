using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Links;

/// <summary>
/// The parent's end of the link (gRPC over the mutual-TLS link listener). The peer is identified by its site
/// certificate, never by what it says: only a direct child may connect, and only an ancestor of the requested
/// path may forward a CSR.
/// </summary>
public sealed partial class LinkService(
    IObjectStore store,
    MissionIndex index,
    Downlinks downlinks,
    ISiteCertificateSigner signer,
    IBlobStore blobs,
    SiteIdentity identity,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<LinkService> logger,
    IPortalMapExchange? portalMaps = null,
    IKvFiguresExchange? kvFigures = null,
    ILoadExchange? loads = null) : SiteLink.SiteLinkBase
{
    /// <summary>Chunk size for blob streams: well under gRPC's 4 MiB message limit, large enough to keep frames few.</summary>
    private const int BlobChunkBytes = 64 * 1024;

    public override async Task Connect(IAsyncStreamReader<Up> requestStream, IServerStreamWriter<Down> responseStream, ServerCallContext context)
    {
        // A session opened while this site shows its old-tree certificate ends when its move completes (see SiteIdentity.Move);
        // every session ends as soon as the site stops, instead of holding the shutdown until its timeout.
        using var session = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, identity.PreviousTreeSessions, lifetime.ApplicationStopping);
        var ct = session.Token;
        var certified = PeerPath(context);
        var move = identity.Move;
        // A child still on the old tree is known by its new path from here on up.
        var peer = certified is null ? null : move?.Rebase(certified) ?? certified;
        var unmoved = peer != certified;
        var self = downlinks.Self;
        if (peer is null || !peer.StartsWith(self.Path + "/", StringComparison.Ordinal) || peer[(self.Path.Length + 1)..].Contains('/'))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"site \"{peer}\" is not a child of {self.Path}"));
        }

        if (!await requestStream.MoveNext(ct) || requestStream.Current.BodyCase != Up.BodyOneofCase.Hello)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message must be Hello"));
        }

        var hello = requestStream.Current.Hello;
        if (hello.Path != certified)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Hello names {hello.Path} but the certificate is for {certified}"));
        }

        hello.Path = peer;
        // Checked again as the child is admitted, under the lock a forget is recorded under (no session slips in between).
        RefuseIfForgotten(certified!, peer, context);
        ChildConnection connection;
        try
        {
            connection = await downlinks.ConnectAsync(hello, PeerFingerprint(context), ct);
        }
        catch (ChildForgottenException e)
        {
            LogForgottenRefused(peer, e.Message);
            throw ForgottenRefusal.Create(e.Message);
        }

        // The session also ends when the child is forgotten (a forced forget closes its link).
        using var admitted = CancellationTokenSource.CreateLinkedTokenSource(ct, connection.Closed);
        ct = admitted.Token;
        var received = connection.ReportsReceived;
        var writeGate = new SemaphoreSlim(1, 1);
        async Task SendAsync(Down message)
        {
            await writeGate.WaitAsync(ct);
            try
            {
                await responseStream.WriteAsync(message, ct);
            }
            finally
            {
                writeGate.Release();
            }
        }

        await SendAsync(new Down { Welcome = new Welcome { ParentPath = self.Path, ParentRv = index.ResourceVersion, ReportsReceivedSeq = received } });
        if (unmoved)
        {
            await SendAsync(new Down { Move = new TreeMove { From = move!.From, To = move.To, CaChainPem = identity.TrustAnchor.ExportCertificatePem() } });
        }
        else if (move is not null)
        {
            identity.ChildMoved(hello.Name);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = StreamMissionsAsync(hello.ResumeFromParentRv, SendAsync, stop.Token);
        var portal = portalMaps is null ? Task.CompletedTask
            : ChangeStream.RunAsync(portalMaps.WaitForChangeAsync, (long since, out long upTo) => portalMaps.ForChild(peer, since, out upTo), map => SendAsync(new Down { Portal = map }), stop.Token);
        try
        {
            while (await requestStream.MoveNext(ct))
            {
                var up = requestStream.Current;
                switch (up.BodyCase)
                {
                    case Up.BodyOneofCase.Heartbeat:
                        await SendAsync(new Down { HeartbeatAck = new HeartbeatAck { Sequence = up.Heartbeat.Sequence } });
                        await downlinks.HeartbeatAsync(peer, unmoved ? MoveRebase.Heartbeat(move!, up.Heartbeat) : up.Heartbeat, ct);
                        break;
                    case Up.BodyOneofCase.Report:
                        await downlinks.ReportAsync(peer, unmoved ? MoveRebase.Report(move!, up.Report) : up.Report, ct);
                        break;
                    case Up.BodyOneofCase.Portal when !unmoved:
                        portalMaps?.FromChild(peer, up.Portal);
                        break;
                    case Up.BodyOneofCase.Kv when !unmoved:
                        kvFigures?.FromChild(peer, up.Kv);
                        break;
                    case Up.BodyOneofCase.Load when !unmoved && loads is not null:
                        loads.FromChild(peer, up.Load);
                        await SendAsync(new Down { Load = loads.ForChild(peer) });
                        break;
                }

                if (sending.IsCompleted)
                {
                    await sending;
                }

                if (portal.IsFaulted)
                {
                    await portal;
                }
            }
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            // Ended here (a move completed, or the site stops): the call ends cleanly and the child reconnects.
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await sending;
                await portal;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
            }

            LogChildDisconnected(peer);
        }
    }

    public override async Task<SignReply> Sign(SignRequest request, ServerCallContext context)
    {
        var certified = PeerPath(context);
        var peer = certified is null ? null : identity.Move?.Rebase(certified) ?? certified;
        // During a move a child of the old tree asks for its own certificate at its new path.
        var renewal = peer != certified && request.Path == peer;
        if (peer is null || !(renewal || request.Path.StartsWith(peer + "/", StringComparison.Ordinal)))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"site \"{peer}\" may not request a certificate for \"{request.Path}\""));
        }

        RefuseIfForgotten(certified!, peer, context);

        try
        {
            var signed = await signer.SignAsync(request.CsrPem, request.Name, request.Path, request.Subtree, context.CancellationToken);
            return new SignReply { CertificatePem = signed.CertificatePem, CaChainPem = signed.CaChainPem };
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (InvalidOperationException e)
        {
            // This site's own uplink is down: the caller tries again after its next reconnect.
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
    }

    /// <summary>
    /// Resync then follow: from the child's last applied version, only missions whose spec changed since (from
    /// the <see cref="MissionIndex"/>), each change once; a snapshot when the version cannot be served.
    /// </summary>
    private async Task StreamMissionsAsync(long resumeFrom, Func<Down, Task> send, CancellationToken ct)
    {
        long sent;
        if (resumeFrom <= 0 || resumeFrom > index.ResourceVersion || resumeFrom < index.Floor)
        {
            sent = index.ResourceVersion;
            var list = await store.ListAsync("Mission", null, ct);
            var snapshot = new Snapshot { Rv = sent };
            foreach (var item in list.Items)
            {
                snapshot.Missions.Add(ToChange(item));
            }

            await send(new Down { Snapshot = snapshot });
        }
        else
        {
            sent = resumeFrom;
        }

        while (!ct.IsCancellationRequested)
        {
            var next = index.WaitForChangeAsync(ct);
            var (changes, rv) = index.ChangesSince(sent);
            foreach (var change in changes)
            {
                var key = new ObjectKey("Mission", change.Namespace, change.Name);
                var current = change.Deleted ? null : await store.GetAsync(key, ct);
                await send(new Down
                {
                    Change = current is null
                        ? new MissionChange { Type = MissionChange.Types.Type.Delete, Namespace = change.Namespace, Name = change.Name, Rv = change.SpecRv }
                        : ToChange(current),
                });
            }

            if (rv > sent)
            {
                await send(new Down { Bookmark = new Bookmark { Rv = rv } });
                sent = rv;
            }

            try
            {
                await next;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static MissionChange ToChange(StoredObject item)
    {
        var json = item.Object.DeepClone().AsObject();
        json.Remove("status");
        return new MissionChange
        {
            Type = MissionChange.Types.Type.Apply,
            Namespace = item.Key.Namespace,
            Name = item.Key.Name,
            Json = json.ToJsonString(),
            Generation = item.Generation,
            Rv = item.ResourceVersion,
        };
    }

    public override async Task FetchBlob(BlobRequest request, IServerStreamWriter<BlobChunk> responseStream, ServerCallContext context)
    {
        var certified = PeerPath(context);
        var peer = certified is null ? null : identity.Move?.Rebase(certified) ?? certified;
        var self = downlinks.Self;
        if (peer is null || !peer.StartsWith(self.Path + "/", StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"site \"{peer}\" is not below {self.Path}"));
        }

        RefuseIfForgotten(certified!, peer, context);

        if (!BlobDigest.IsValid(request.Digest))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"\"{request.Digest}\" is not a blob digest sha256:<64 hex digits>"));
        }

        await using var stream = blobs.OpenRead(request.Digest)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"blob {request.Digest} is not stored at {self.Path}"));
        var buffer = new byte[BlobChunkBytes];
        int read;
        while ((read = await stream.ReadAsync(buffer, context.CancellationToken)) > 0)
        {
            await responseStream.WriteAsync(new BlobChunk { Data = Google.Protobuf.ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
        }

        LogBlobServed(request.Digest, peer);
    }

    private static string? PeerPath(ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        return certificate is null ? null : SiteCertificates.GetSitePath(certificate);
    }

    private static string? PeerFingerprint(ServerCallContext context) =>
        context.GetHttpContext().Connection.ClientCertificate is { } certificate ? SiteCertificates.Fingerprint(certificate) : null;

    /// <summary>
    /// A forgotten child (or a site below it) with a certificate from before the forget gets nothing here. While this site
    /// moves, a child still on the old tree is refused by its old path too (a forget records the new one).
    /// </summary>
    private void RefuseIfForgotten(string certified, string peer, ServerCallContext context)
    {
        var fingerprint = PeerFingerprint(context);
        if ((downlinks.Forgotten.WhyRefused(peer, fingerprint) ?? (certified == peer ? null : downlinks.Forgotten.WhyRefused(certified, fingerprint))) is { } refusal)
        {
            LogForgottenRefused(peer, refusal);
            throw ForgottenRefusal.Create(refusal);
        }
    }

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "Refused the link of {Path}: {Reason}")]
    private partial void LogForgottenRefused(string path, string reason);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Served blob {Digest} to {Path}")]
    private partial void LogBlobServed(string digest, string path);

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Link from {Path} closed")]
    private partial void LogChildDisconnected(string path);

    private readonly ILogger _logger = logger;
}
