namespace Fornax.Kv.Replication;

/// <summary>
/// One ordered, reliable stream of frames to a neighbouring site (a gRPC stream on the site link, or an in-memory
/// pipe in tests). Frames arrive in the order they were sent; a cut ends the stream.
/// </summary>
public interface IReplicationTransport
{
    ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct);

    /// <summary>The next frame, or null when the stream ended.</summary>
    ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken ct);
}

/// <summary>A peer sent something that is not a valid replication frame; the stream is dropped and nothing of the frame applied.</summary>
public sealed class ReplicationProtocolException(string message) : Exception(message);

/// <summary>
/// This site will not replicate with the peer as the peer stands (its data must change first): trying again soon changes
/// nothing. Nothing changed here.
/// </summary>
public sealed class ReplicationRefusedException(string message) : Exception(message);
