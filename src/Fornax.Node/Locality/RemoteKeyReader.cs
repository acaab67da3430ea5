using System.Net;
using Fornax.Functions.State;
using Fornax.Node.Portal;
using Fornax.Portal;
using Fornax.Scheduling.Locality;

namespace Fornax.Node.Locality;

/// <summary>
/// The client side of <see cref="RemoteKeyReads"/>: one read from another site's copy of a keyspace, on the guest's
/// thread (a host call is synchronous), over the pooled mutual-TLS client the portal uses for that site. Bounded in time
/// (<see cref="LocalityOptions.RemoteReadTimeout"/>) and size (<see cref="LocalityOptions.MaxRemoteReadBytes"/>); a
/// failure throws <see cref="IOException"/> naming the site and the key, which traps the guest.
/// </summary>
internal sealed class RemoteKeyReader(PortalClients clients, IServiceMap map, LocalityOptions options)
{
    /// <summary>The value, or null when the key (or field) is absent there.</summary>
    public byte[]? Read(string sitePath, BoundKeyspace keyspace, string op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field)
    {
        if (map.Site(sitePath) is not { PortalAddress.Length: > 0 } peer)
        {
            throw new IOException($"reading {StateText.Show(key)} from site {sitePath}: the site advertises no link address");
        }

        var uri = $"https://{peer.PortalAddress}/portal/kv/{Uri.EscapeDataString(keyspace.Namespace)}/{Uri.EscapeDataString(keyspace.Name)}/{op}";
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            // Synchronous sends are HTTP/1.1 only; the link port speaks both.
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(RemoteKeyReads.Body(key, field)),
        };
        using var timeout = new CancellationTokenSource(options.RemoteReadTimeout, options.TimeProvider);
        try
        {
            using var response = clients.Peer(sitePath).Send(request, timeout.Token);
            return Answer(response, sitePath, key, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new IOException($"reading {StateText.Show(key)} from site {sitePath}: no answer within {options.RemoteReadTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException)
        {
            // A SocketException too: a connection reset right after its connect escapes the handler unwrapped (PortalHttp.IsConnectionFailure).
            throw new IOException($"reading {StateText.Show(key)} from site {sitePath}: {e.Message}");
        }
    }

    private byte[]? Answer(HttpResponseMessage response, string sitePath, ReadOnlySpan<byte> key, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.NotFound && response.Headers.Contains(RemoteKeyReads.AbsentHeader))
        {
            return null;
        }

        var body = Bounded(response, sitePath, key, ct);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => body,
            HttpStatusCode.Conflict => throw new FunctionStateException(FunctionStateError.WrongType, System.Text.Encoding.UTF8.GetString(body)),
            _ => throw new IOException($"reading {StateText.Show(key)} from site {sitePath}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200))).Trim()}"),
        };
    }

    private byte[] Bounded(HttpResponseMessage response, string sitePath, ReadOnlySpan<byte> key, CancellationToken ct)
    {
        var limit = options.MaxRemoteReadBytes;
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new IOException($"reading {StateText.Show(key)} from site {sitePath}: {response.Content.Headers.ContentLength} bytes is over the limit of {limit}");
        }

        using var stream = response.Content.ReadAsStream(ct);
        using var copy = new MemoryStream();
        var buffer = new byte[16 << 10];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (copy.Length + read > limit)
            {
                throw new IOException($"reading {StateText.Show(key)} from site {sitePath}: the answer is over the limit of {limit} bytes");
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }
}
