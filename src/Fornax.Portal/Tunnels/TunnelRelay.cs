namespace Fornax.Portal.Tunnels;

/// <summary>One neighbour of a relaying hop: the framed stream from it, the framed stream to it, and how to end the latter.</summary>
/// <param name="Name">Who it is, for the reason a broken tunnel gives (a site path, or "the forwarder").</param>
/// <param name="In">The frames it sends.</param>
/// <param name="Out">The frames it receives.</param>
/// <param name="EndOutAsync">Ends what this hop sends to it, once the frames it sent ended normally (an HTTP/2 request body's end).</param>
public sealed record TunnelSide(string Name, Stream In, Stream Out, Func<ValueTask> EndOutAsync);

/// <summary>
/// A tunnel's hop between two others (the portal the forwarder asked; a common ancestor relaying to a site of its
/// subtree): passes whole frames both ways without looking into them. Each direction holds one frame and writes it before
/// it reads the next, so a slow reader holds the sender back (backpressure through every hop's flow control, never a
/// queue). Ends of data pass as they are (half-close), and a stream that ends after its end frame ends the next one.
/// When a neighbour breaks (a reset, a stream cut short, its own broken frame) or nothing moved for
/// the idle timeout, the hop tells the other neighbour why with a broken frame, so the far end can say where the tunnel
/// broke, and closes both.
/// </summary>
public sealed class TunnelRelay(TunnelSide near, TunnelSide far, string sitePath, TimeSpan idleTimeout, TimeProvider time)
{
    /// <summary>How long the last word to a neighbour may take once the tunnel broke: it is a courtesy, not a reason to stay.</summary>
    private static readonly TimeSpan LastWordTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private TunnelSide? _brokenSide;

    /// <summary>Why the tunnel broke at or beyond this hop; null while it runs and when it ended normally.</summary>
    public string? Failure { get; private set; }

    /// <summary>Runs until both directions ended or the tunnel broke; closes nothing it was given (the caller does).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        // Declared first, disposed last: the registrations below cancel it until they are disposed.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var idle = new CancellationTokenSource(idleTimeout, time);
        using var idleBreaks = idle.Token.Register(() => Break(stop, null, $"site {sitePath} closed the tunnel after {idleTimeout.TotalSeconds:0.#} s idle"));
        await Task.WhenAll(DirectionAsync(near, far, stop, idle), DirectionAsync(far, near, stop, idle));
    }

    /// <summary>
    /// Frames from one side to the other. Toward the serving end (<paramref name="to"/> is the far side), the near side's
    /// end of data ends the stream at once: the near side keeps its own stream open until this hop closes it. Toward the
    /// asking end, the far side's stream is followed to its end, which comes only once the serving end finished, so
    /// this hop (and every hop before it) stays until every byte toward the backend was delivered.
    /// </summary>
    private async Task DirectionAsync(TunnelSide from, TunnelSide to, CancellationTokenSource stop, CancellationTokenSource idle)
    {
        var buffer = new byte[TunnelFrames.HeaderLength + TunnelFrames.MaxPayload];
        var ended = false;
        var writing = false;
        try
        {
            while (true)
            {
                int length;
                try
                {
                    length = await TunnelFrames.ReadAsync(from.In, buffer.AsMemory(TunnelFrames.HeaderLength), stop.Token);
                }
                catch (TunnelBrokenException e)
                {
                    // A hop beyond broke: its reason goes on as it is, so the far end learns where.
                    Break(stop, from, e.Message);
                    break;
                }
                catch (Exception e) when (Fails(e) && !stop.IsCancellationRequested)
                {
                    Break(stop, from, $"site {sitePath} lost the tunnel's connection to {from.Name}: {e.Message}");
                    break;
                }

                idle.CancelAfter(idleTimeout);
                if (length < 0)
                {
                    if (!ended)
                    {
                        Break(stop, from, $"{from.Name} closed the tunnel at site {sitePath} without ending its data");
                        break;
                    }

                    await EndAsync(to, stop);
                    return;
                }

                ended |= length == 0;
                writing = true;
                try
                {
                    await to.Out.WriteAsync(buffer.AsMemory(0, TunnelFrames.Frame(buffer, length)), stop.Token);
                    await to.Out.FlushAsync(stop.Token);
                }
                catch (Exception e) when (Fails(e) && !stop.IsCancellationRequested)
                {
                    Break(stop, to, $"site {sitePath} lost the tunnel's connection to {to.Name}: {e.Message}");
                    return;
                }

                writing = false;
                if (length == 0 && to == far)
                {
                    await EndAsync(to, stop);
                    return;
                }
            }
        }
        catch (Exception e) when (Fails(e) && stop.IsCancellationRequested)
        {
            // Stopped by the other direction, the idle timer or the caller: said below, if there is anything to say.
        }

        // Tell the neighbour this direction sends to why the tunnel broke, unless it is the one that broke, or a frame
        // to it was cut short (a broken frame after half a frame would be read as data).
        string? reason;
        lock (_gate)
        {
            reason = _brokenSide == to || writing ? null : Failure;
        }

        if (reason is not null)
        {
            using var lastWord = new CancellationTokenSource(LastWordTimeout, time);
            try
            {
                await TunnelFrames.WriteBrokenAsync(to.Out, reason, lastWord.Token);
            }
            catch (Exception e) when (Fails(e))
            {
                // That side is going away too: nothing more to tell it.
            }
        }
    }

    private async Task EndAsync(TunnelSide to, CancellationTokenSource stop)
    {
        try
        {
            await to.EndOutAsync();
        }
        catch (Exception e) when (Fails(e) && !stop.IsCancellationRequested)
        {
            Break(stop, to, $"site {sitePath} lost the tunnel's connection to {to.Name}: {e.Message}");
        }
    }

    /// <summary>The tunnel broke at <paramref name="side"/> (null: at this hop): the first reason stays; both directions stop.</summary>
    private void Break(CancellationTokenSource stop, TunnelSide? side, string reason)
    {
        lock (_gate)
        {
            if (Failure is not null)
            {
                return;
            }

            Failure = reason;
            _brokenSide = side;
        }

        stop.Cancel();
    }

    private static bool Fails(Exception e) =>
        e is IOException or OperationCanceledException or InvalidDataException or ObjectDisposedException or System.Net.Sockets.SocketException
            or HttpRequestException;
}
