using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Hierarchy.Links;

/// <summary>The child's end of KV replication: a <c>Replicate</c> stream on the live link to the parent.</summary>
public sealed partial class Uplink
{
    /// <summary>
    /// Runs replication with the parent over the current link connection until the stream or the link ends; throws
    /// <see cref="InvalidOperationException"/> when the link is down (the caller waits for it and tries again).
    /// </summary>
    public async Task ReplicateAsync(ILinkReplication replication, CancellationToken ct)
    {
        var channel = _channel ?? throw new InvalidOperationException("the link to the parent is down");
        using var call = new SiteLink.SiteLinkClient(channel).Replicate(cancellationToken: ct);
        try
        {
            await replication.RunAsync(_self.ParentPath ?? "", new LinkFrameStream(call.ResponseStream, call.RequestStream), ct);
        }
        finally
        {
            try
            {
                await call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or InvalidOperationException or OperationCanceledException)
            {
                // the call already ended
            }
        }
    }
}
