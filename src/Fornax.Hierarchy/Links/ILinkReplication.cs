namespace Fornax.Hierarchy.Links;

/// <summary>
/// Carries KV replication over a site link. The link knows nothing of the store: it authenticates the peer (a direct
/// child, or the parent) and hands both directions of a <c>Replicate</c> stream to whoever registered this.
/// </summary>
public interface ILinkReplication
{
    /// <summary>Runs replication with the neighbour at <paramref name="peerPath"/> until the stream ends.</summary>
    Task RunAsync(string peerPath, ILinkFrameStream stream, CancellationToken ct);
}

/// <summary>One <c>Replicate</c> stream: frames in order, both ways.</summary>
public interface ILinkFrameStream
{
    Task SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct);

    /// <summary>The next frame, or null when the peer closed the stream.</summary>
    Task<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken ct);
}
