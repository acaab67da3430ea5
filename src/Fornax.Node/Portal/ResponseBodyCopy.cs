using System.Buffers;
using System.IO.Pipelines;

namespace Fornax.Node.Portal;

/// <summary>
/// Copies a proxied response body without a flush per chunk: the bytes go out when the upstream has nothing more at hand
/// (its next read would wait), when 64 KiB are waiting, or with the end of the response. A small answer then leaves a
/// portal in one write (headers, body and end of stream together) instead of three, and a streaming answer still goes
/// out as it comes; the 64 KiB bound keeps a slow client holding the upstream back (flushing waits for it) instead of
/// buffering without end.
/// </summary>
internal static class ResponseBodyCopy
{
    private const int ChunkBytes = 16 * 1024;
    private const int MaxUnflushedBytes = 64 * 1024;

    /// <exception cref="UpstreamBodyBrokeOffException">Reading <paramref name="source"/> failed; says how much was copied.</exception>
    public static async Task CopyAsync(Stream source, PipeWriter destination, CancellationToken ct)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var unflushed = 0;
            long copied = 0;
            while (true)
            {
                var pending = source.ReadAsync(chunk, ct);
                if (!pending.IsCompleted && unflushed > 0)
                {
                    await destination.FlushAsync(ct);
                    unflushed = 0;
                }

                int read;
                try
                {
                    read = await pending;
                }
                catch (Exception e) when (PortalHttp.IsConnectionFailure(e))
                {
                    throw new UpstreamBodyBrokeOffException(copied, e);
                }

                if (read == 0)
                {
                    return;
                }

                destination.Write(chunk.AsSpan(0, read));
                copied += read;
                unflushed += read;
                if (unflushed >= MaxUnflushedBytes)
                {
                    await destination.FlushAsync(ct);
                    unflushed = 0;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}

/// <summary>The upstream's body broke off after <see cref="Copied"/> bytes of it were written toward the caller (flushed or not).</summary>
internal sealed class UpstreamBodyBrokeOffException(long copied, Exception inner) : IOException(inner.Message, inner)
{
    public long Copied { get; } = copied;
}
