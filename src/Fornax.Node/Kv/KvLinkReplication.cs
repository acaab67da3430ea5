using Fornax.Hierarchy.Links;
using Grpc.Core;
using Fornax.Kv.Replication;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Kv;

/// <summary>Runs the store's replication over a link's <c>Replicate</c> stream (either end).</summary>
internal sealed partial class KvLinkReplication(SiteKvStore store, ILogger<KvLinkReplication> log) : ILinkReplication
{
    public async Task RunAsync(string peerPath, ILinkFrameStream stream, CancellationToken ct)
    {
        // A replication session is a use of the store: it opens here if nothing opened it yet.
        var opened = store.TryOpen() ?? throw new RpcException(new Status(StatusCode.Unavailable, store.Failure!));
        LogStarted(peerPath);
        try
        {
            // The link authenticated the neighbour by its path; the store knows sites by name, the path's last part.
            await KvReplication.For(opened).RunPeerAsync(new Transport(stream), peerPath[(peerPath.LastIndexOf('/') + 1)..], ct);
        }
        catch (ReplicationProtocolException e)
        {
            LogRefused(peerPath, e.Message);
            throw;
        }
        catch (ReplicationRefusedException e)
        {
            // The peer is told why (the child's side logs it), and that trying again soon changes nothing.
            LogRefused(peerPath, e.Message);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    private sealed class Transport(ILinkFrameStream stream) : IReplicationTransport
    {
        public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct) => await stream.SendAsync(frame, ct);

        public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken ct) => await stream.ReceiveAsync(ct);
    }

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "KV replication with {Peer} started")]
    private partial void LogStarted(string peer);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "KV replication with {Peer} dropped: {Reason}")]
    private partial void LogRefused(string peer, string reason);
}
