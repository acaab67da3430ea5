using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Fornax.Emulation;

/// <summary>One proxied TCP connection: the accepted client socket, the socket to the target, a pump each way.</summary>
#pragma warning disable CA1001 // the run owns its resources: sockets and token source are disposed when it ends or on Abort
internal sealed class LinkConnection
#pragma warning restore CA1001
{
    private readonly LinkEmulator _link;
    private readonly Socket _client;
    private readonly Socket _upstream;
    private readonly CancellationTokenSource _aborted = new();
    private int _abortRequested;

    public LinkConnection(LinkEmulator link, Socket client)
    {
        _link = link;
        _client = client;
        _client.NoDelay = true; // the emulator is the only source of delay; Nagle would add its own
        _upstream = new Socket(link.Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public Task RunAsync(CancellationToken stopping) => Completion = RunCoreAsync(stopping);

    /// <summary>Resets both sides at once (RST, not FIN): the way a dead peer or a cut link looks to TCP.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _abortRequested, 1) != 0)
        {
            return;
        }

        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }

        Reset(_client);
        Reset(_upstream);
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(enable: true, seconds: 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Not connected yet or already closed: disposing is all that is left.
        }

        socket.Dispose();
    }

    private async Task RunCoreAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _aborted.Token);
        var cancellationToken = linked.Token;
        try
        {
            // A blackholed link accepts but does not dial: the connection reaches the target only once healed.
            await _link.WhenPassableAsync(cancellationToken);
            await _upstream.ConnectAsync(_link.Target, cancellationToken);
            var up = PumpAsync(_client, _upstream, _link.UpBucket, _link.CountUp, cancellationToken);
            var down = PumpAsync(_upstream, _client, _link.DownBucket, _link.CountDown, cancellationToken);
            await Task.WhenAll(up, down);
            _client.Dispose();
            _upstream.Dispose();
        }
        catch (Exception)
        {
            // A reset, a refused dial, a cut or disposal: either way both sides are torn down together.
            Abort();
        }
        finally
        {
            _aborted.Dispose();
        }
    }

    /// <summary>
    /// Moves bytes one way. The reader pays the bandwidth toll, stamps each chunk with its due time (now + latency,
    /// + a retransmit penalty when the loss model says so) and queues it; the writer delivers chunks in order when
    /// due. So latency delays every chunk without slowing the reader or the other direction, and order is kept.
    /// End of stream travels as a chunk too, so a half-close arrives after the data before it.
    /// </summary>
    private async Task PumpAsync(Socket source, Socket destination, TokenBucket bucket, Action<int> count, CancellationToken cancellationToken)
    {
        // Bounded so a fast sender facing a long delay is pushed back by TCP flow control instead of filling memory:
        // at most 1024 chunks of at most 16 KiB (16 MiB) in flight per direction.
        var queue = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        var random = _link.NewRandom();
        var writer = DeliverAsync(queue.Reader, destination, count, cancellationToken);
        try
        {
            while (true)
            {
                await _link.WhenPassableAsync(cancellationToken);
                var chunkBytes = _link.Profile.ChunkBytes;
                var buffer = ArrayPool<byte>.Shared.Rent(chunkBytes);
                int read;
                LinkProfileOptions profile;
                try
                {
                    read = await source.ReceiveAsync(buffer.AsMemory(0, chunkBytes), SocketFlags.None, cancellationToken);
                    // The profile when the bytes arrived, not when we started waiting for them.
                    profile = _link.Profile;
                    if (read > 0)
                    {
                        await bucket.TakeAsync(read, profile.BandwidthBitsPerSecond, cancellationToken);
                    }
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                var delay = profile.Latency + (read > 0 ? profile.LossDelay(read, random) : TimeSpan.Zero);
                var due = _link.Time.GetTimestamp() + (long)(delay.TotalSeconds * _link.Time.TimestampFrequency);
                _link.AddInFlight(read);
                try
                {
                    await queue.Writer.WriteAsync(new Chunk(buffer, read, due), cancellationToken);
                }
                catch
                {
                    _link.AddInFlight(-read);
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                if (read == 0)
                {
                    queue.Writer.Complete();
                    break;
                }
            }
        }
        catch (Exception e)
        {
            // A reset or error on one side resets both at once, as the end-to-end connection would be.
            queue.Writer.TryComplete(e);
            Abort();
        }

        try
        {
            await writer;
        }
        catch
        {
            Abort();
            throw;
        }
    }

    private async Task DeliverAsync(ChannelReader<Chunk> queue, Socket destination, Action<int> count, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in queue.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await WaitUntilAsync(chunk.Due, cancellationToken);
                    await _link.WhenPassableAsync(cancellationToken);
                    if (chunk.Length == 0)
                    {
                        destination.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    // Counted before the send, so a peer that has seen the bytes always sees them counted too.
                    count(chunk.Length);
                    var remaining = chunk.Buffer.AsMemory(0, chunk.Length);
                    while (!remaining.IsEmpty)
                    {
                        var sent = await destination.SendAsync(remaining, SocketFlags.None, cancellationToken);
                        remaining = remaining[sent..];
                    }
                }
                finally
                {
                    _link.AddInFlight(-chunk.Length);
                    ArrayPool<byte>.Shared.Return(chunk.Buffer);
                }
            }
        }
        finally
        {
            // Chunks still queued after a failure: give their buffers back.
            while (queue.TryRead(out var left))
            {
                _link.AddInFlight(-left.Length);
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }
        }
    }

    /// <summary>Waits until the timestamp <paramref name="due"/>; loops because timers may fire a little early.</summary>
    private async ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        var time = _link.Time;
        while (true)
        {
            var now = time.GetTimestamp();
            if (now >= due)
            {
                return;
            }

            var wait = TimeSpan.FromSeconds((due - now) / (double)time.TimestampFrequency);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cancellationToken);
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Length, long Due);
}
