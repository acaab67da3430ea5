using System.Net;
using System.Text;

namespace Fornax.Node.Tests;

/// <summary>
/// A large request body written from one small buffer: <paramref name="prefix"/>, <paramref name="fillerBytes"/> of
/// 'A', <paramref name="suffix"/>. The test process allocates almost nothing for it, so what a site buffers shows.
/// </summary>
internal sealed class StreamedBody(string prefix, long fillerBytes, string suffix, bool announceLength) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(prefix));
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'A');
        for (var left = fillerBytes; left > 0; left -= chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(suffix));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = Encoding.UTF8.GetByteCount(prefix) + fillerBytes + Encoding.UTF8.GetByteCount(suffix);
        return announceLength;
    }
}
