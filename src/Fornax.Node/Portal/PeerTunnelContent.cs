using System.Net;

namespace Fornax.Node.Portal;

/// <summary>
/// The request body of a tunnel's HTTP/2 stream to a peer portal: it hands its stream to the relay, which writes into it
/// while the response streams back (full duplex), and ends when the relay says the client's side is done.
/// </summary>
internal sealed class PeerTunnelContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The stream to the peer, once the request is on its way.</summary>
    public Task<Stream> Stream => _stream.Task;

    /// <summary>Ends the request body (after the last frame).</summary>
    public void Complete() => _done.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        // HttpClient sends a request again on a new stream when the server refuses the first (REFUSED_STREAM, e.g. a
        // burst over the peer's stream limit before its SETTINGS arrived); the relay may already hold the first stream,
        // so a second send fails the request instead, and the caller opens a fresh one.
        // The request's headers are only buffered until the body's first flush, and a tunnel's body starts only once the
        // peer has answered them: flush them now, or a tunnel over a quiet connection waits for ever (the gRPC client
        // does the same, dotnet/runtime#96223).
        await stream.FlushAsync();
        if (!_stream.TrySetResult(stream))
        {
            throw new TunnelContentResentException();
        }

        await _done.Task;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var cancelled = cancellationToken.Register(() => _done.TrySetCanceled(cancellationToken));
        await SerializeToStreamAsync(stream, context);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        _stream.TrySetCanceled();
        _done.TrySetResult();
        base.Dispose(disposing);
    }
}

/// <summary>HttpClient tried to send a tunnel's request body a second time (see <see cref="PeerTunnelContent"/>).</summary>
internal sealed class TunnelContentResentException() : IOException("the tunnel request was refused by the peer and cannot be resent on another stream");
