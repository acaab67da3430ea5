using System.Text;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api;

/// <summary>Reads a request body up to a limit, so an oversized body is refused before it is buffered.</summary>
internal static class RequestBodies
{
    /// <summary>The body as text, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    public static async Task<string?> ReadTextAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
