using System.Net.Sockets;

namespace Fornax.Portal.Tunnels;

/// <summary>
/// One end of a TCP tunnel: moves bytes between a plain TCP connection (the forwarder's client, or the backend at the
/// serving site) and the framed stream to the other end. Each direction has one buffer and writes before it reads
/// again, so a slow reader holds the writer back (backpressure through TCP and HTTP/2 flow control, never a growing
/// queue). An end of data is passed on as a half-close; the tunnel closes when both directions have ended, on an error
/// in either, or when no byte moved for <see cref="IdleTimeout"/>.
/// </summary>
public sealed class TunnelEnd(Socket plain, Stream framedIn, Stream framedOut, TimeSpan idleTimeout, TimeProvider time)
{
    public TimeSpan IdleTimeout => idleTimeout;

    /// <summary>Set when the tunnel closed because it was idle.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>
    /// After both ends of data, keep the framed stream open until the other side closes it. The forwarder's end does: the
    /// portal it asked closes the stream once every hop delivered everything (the serving end finished), whereas a stream
    /// this end closed first would tell that portal the client went away (Kestrel takes an upgraded connection's end as
    /// its abort), and bytes still on their way to the backend would be lost.
    /// </summary>
    public bool LingersUntilClosed { get; init; }

    /// <summary>Why the other end's side of the tunnel broke (a hop's broken frame, or the stream cut short); null otherwise.</summary>
    public string? Broken { get; private set; }

    /// <summary>Runs until both directions ended or the tunnel failed; closes nothing it was given (the caller does).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var idle = new CancellationTokenSource(idleTimeout, time);
        using var idleStops = idle.Token.Register(() =>
        {
            TimedOut = true;
            stop.Cancel();
        });
        var outward = Guard(PlainToFramedAsync(idle, stop.Token), stop);
        var inward = Guard(FramedToPlainAsync(idle, stop.Token), stop);
        await Task.WhenAll(outward, inward);
    }

    /// <summary>A direction that fails stops the other: a reset on one side is a reset of the whole tunnel.</summary>
    private static async Task Guard(Task direction, CancellationTokenSource stop)
    {
        try
        {
            await direction;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidDataException or ObjectDisposedException)
        {
            await stop.CancelAsync();
        }
    }

    private async Task PlainToFramedAsync(CancellationTokenSource idle, CancellationToken ct)
    {
        var buffer = new byte[TunnelFrames.HeaderLength + TunnelFrames.MaxPayload];
        while (true)
        {
            var read = await plain.ReceiveAsync(buffer.AsMemory(TunnelFrames.HeaderLength), SocketFlags.None, ct);
            idle.CancelAfter(idleTimeout);
            if (read == 0)
            {
                await TunnelFrames.WriteEndAsync(framedOut, ct);
                await framedOut.FlushAsync(ct);
                return;
            }

            await framedOut.WriteAsync(buffer.AsMemory(0, TunnelFrames.Frame(buffer, read)), ct);
            await framedOut.FlushAsync(ct);
        }
    }

    private async Task FramedToPlainAsync(CancellationTokenSource idle, CancellationToken ct)
    {
        var buffer = new byte[TunnelFrames.MaxPayload];
        var ended = false;
        while (true)
        {
            int length;
            try
            {
                length = await TunnelFrames.ReadAsync(framedIn, buffer, ct);
            }
            catch (TunnelBrokenException e)
            {
                Broken = e.Message;
                throw;
            }

            idle.CancelAfter(idleTimeout);
            if (length < 0 && ended)
            {
                return;
            }

            if (length < 0)
            {
                Broken = "the other end of the tunnel went away without ending its data";
                throw new IOException(Broken);
            }

            if (ended)
            {
                throw new InvalidDataException("the other end of the tunnel sent data after its end of data");
            }

            if (length == 0)
            {
                plain.Shutdown(SocketShutdown.Send);
                ended = true;
                if (!LingersUntilClosed)
                {
                    return;
                }

                continue;
            }

            var sent = 0;
            while (sent < length)
            {
                sent += await plain.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None, ct);
            }
        }
    }
}
