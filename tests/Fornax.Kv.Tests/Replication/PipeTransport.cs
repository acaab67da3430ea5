using System.Threading.Channels;
using Fornax.Kv.Replication;

namespace Fornax.Kv.Tests.Replication;

/// <summary>One end of an in-memory ordered stream; <see cref="Pair"/> makes two connected ends.</summary>
internal sealed class PipeTransport(ChannelReader<ReadOnlyMemory<byte>> input, ChannelWriter<ReadOnlyMemory<byte>> output) : IReplicationTransport
{
    private volatile TaskCompletionSource? _held;

    /// <summary>Every frame this end sent (for replay tests).</summary>
    public List<byte[]> Sent { get; } = [];

    /// <summary>From now on a send waits (the sender's loop stops there) until <see cref="Release"/>: one direction of the
    /// link slower than the other.</summary>
    public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Interlocked.Exchange(ref _held, null)?.TrySetResult();

    /// <summary>A send is waiting on <see cref="Hold"/>.</summary>
    public bool Waiting => _waiting > 0;

    private int _waiting;

    /// <summary>Two connected ends; with <paramref name="capacity"/>, a send waits while that many frames are unread, as
    /// a real stream's flow control makes it wait.</summary>
    public static (PipeTransport A, PipeTransport B) Pair(int? capacity = null)
    {
        var ab = capacity is { } c ? Channel.CreateBounded<ReadOnlyMemory<byte>>(c) : Channel.CreateUnbounded<ReadOnlyMemory<byte>>();
        var ba = capacity is { } d ? Channel.CreateBounded<ReadOnlyMemory<byte>>(d) : Channel.CreateUnbounded<ReadOnlyMemory<byte>>();
        return (new PipeTransport(ba.Reader, ab.Writer), new PipeTransport(ab.Reader, ba.Writer));
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        // As the site link's gRPC stream refuses a message over its limit, so does the pipe: a sender must cut.
        if (frame.Length > Frames.MaxFrameBytes)
        {
            throw new InvalidOperationException($"a frame of {frame.Length} bytes is over the stream's limit of {Frames.MaxFrameBytes}");
        }

        if (_held is { } held)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await held.Task.WaitAsync(ct);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        lock (Sent)
        {
            Sent.Add(frame.ToArray());
        }

        await output.WriteAsync(frame.ToArray(), ct);
    }

    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken ct)
    {
        try
        {
            return await input.ReadAsync(ct);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Ends the stream this end sends on.</summary>
    public void Close() => output.TryComplete();
}

/// <summary>A link between two stores' replication: a session on each side over a pipe, cut and healed at will.</summary>
internal sealed class TestLink : IAsyncDisposable
{
    private readonly IKvReplication _a;
    private readonly IKvReplication _b;
    private readonly int? _capacity;
    private CancellationTokenSource? _cts;
    private Task[] _sessions = [];

    public TestLink(IKvReplication a, IKvReplication b, int? capacity = null)
    {
        _a = a;
        _b = b;
        _capacity = capacity;
        Heal();
    }

    public (PipeTransport A, PipeTransport B) Pipes { get; private set; }

    public void Heal()
    {
        _cts = new CancellationTokenSource();
        Pipes = PipeTransport.Pair(_capacity);
        _sessions = [Run(_a, Pipes.A, _b.Site, _cts.Token), Run(_b, Pipes.B, _a.Site, _cts.Token)];
    }

    public async Task CutAsync()
    {
        await _cts!.CancelAsync();
        await Task.WhenAll(_sessions);
        _cts.Dispose();
        _cts = null;
    }

    private static async Task Run(IKvReplication replication, PipeTransport transport, string peer, CancellationToken ct)
    {
        try
        {
            await replication.RunPeerAsync(transport, peer, ct);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            transport.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cts is not null)
        {
            await CutAsync();
        }
    }
}
