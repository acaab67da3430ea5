using System.IO.Pipelines;
using Fornax.Portal.Tunnels;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Portal.Tests.Tunnels;

/// <summary>A relaying hop between two in-memory neighbours (pipes): frames pass whole, and a break is told onward.</summary>
public sealed class TunnelRelayTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(2);

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    /// <summary>One neighbour: what it sends the hop (<see cref="Sending"/>) and what the hop sends it (<see cref="FromHop"/>).</summary>
    private sealed class Neighbour(string name)
    {
        private readonly Pipe _toHop = new();
        private readonly Pipe _fromHop = new();
        private int _ended;

        public Stream FromHop => _fromHop.Reader.AsStream();

        public int Ended => _ended;

        public Stream Sending => _toHop.Writer.AsStream();

        public TunnelSide Side => new(name, _toHop.Reader.AsStream(), _fromHop.Writer.AsStream(), () =>
        {
            Interlocked.Increment(ref _ended);
            return _fromHop.Writer.CompleteAsync();
        });

        public async Task SendAsync(byte[] payload)
        {
            var frame = new byte[TunnelFrames.HeaderLength + payload.Length];
            payload.CopyTo(frame, TunnelFrames.HeaderLength);
            await Sending.WriteAsync(frame.AsMemory(0, TunnelFrames.Frame(frame, payload.Length)));
            await Sending.FlushAsync();
        }
    }

    [Fact]
    public async Task Frames_PassBothWays_EndOfDataTowardTheServerEndsItsStreamAtOnce()
    {
        var near = new Neighbour("the forwarder");
        var far = new Neighbour("site a/r/e2");
        var relay = new TunnelRelay(near.Side, far.Side, "a/r", Idle, new FakeTimeProvider());
        var running = relay.RunAsync(Deadline());
        var fromNear = far.FromHop;
        var fromFar = near.FromHop;
        var buffer = new byte[TunnelFrames.MaxPayload];

        await near.SendAsync("hello"u8.ToArray());
        await far.SendAsync("world!"u8.ToArray());
        Assert.Equal(5, await TunnelFrames.ReadAsync(fromNear, buffer, Deadline()));
        Assert.Equal("hello"u8.ToArray(), buffer[..5]);
        Assert.Equal(6, await TunnelFrames.ReadAsync(fromFar, buffer, Deadline()));

        await TunnelFrames.WriteEndAsync(near.Sending, Deadline());
        await near.Sending.FlushAsync();
        Assert.Equal(0, await TunnelFrames.ReadAsync(fromNear, buffer, Deadline()));
        Assert.Equal(-1, await TunnelFrames.ReadAsync(fromNear, buffer, Deadline()));
        Assert.False(running.IsCompleted);

        // Toward the asking side, the far stream is followed to its end: only then is the near one ended and the hop done.
        await TunnelFrames.WriteEndAsync(far.Sending, Deadline());
        await far.Sending.FlushAsync();
        Assert.Equal(0, await TunnelFrames.ReadAsync(fromFar, buffer, Deadline()));
        Assert.Equal(0, near.Ended);
        await far.Sending.DisposeAsync();
        await running.WaitAsync(Deadline());
        Assert.Equal(-1, await TunnelFrames.ReadAsync(fromFar, buffer, Deadline()));
        Assert.Equal(1, near.Ended);
        Assert.Null(relay.Failure);
    }

    [Fact]
    public async Task FarSideCutShort_TheNearSideGetsABrokenFrameNamingTheHopAndTheSide()
    {
        var near = new Neighbour("the forwarder");
        var far = new Neighbour("site a/r/e2");
        var relay = new TunnelRelay(near.Side, far.Side, "a/r", Idle, new FakeTimeProvider());
        var running = relay.RunAsync(Deadline());
        var buffer = new byte[TunnelFrames.MaxPayload];

        await far.SendAsync("partial"u8.ToArray());
        await far.Sending.DisposeAsync();

        Assert.Equal(7, await TunnelFrames.ReadAsync(near.FromHop, buffer, Deadline()));
        var broken = await Assert.ThrowsAsync<TunnelBrokenException>(async () => await TunnelFrames.ReadAsync(near.FromHop, buffer, Deadline()));
        Assert.Equal("site a/r/e2 closed the tunnel at site a/r without ending its data", broken.Message);
        await running.WaitAsync(Deadline());
        Assert.Equal(broken.Message, relay.Failure);
    }

    [Fact]
    public async Task ABrokenFrameFromBeyond_GoesOnAsItIs()
    {
        var near = new Neighbour("site a/r/e1");
        var far = new Neighbour("site a/r/e2");
        var relay = new TunnelRelay(near.Side, far.Side, "a/r", Idle, new FakeTimeProvider());
        var running = relay.RunAsync(Deadline());

        await TunnelFrames.WriteBrokenAsync(far.Sending, "service default/db at site a/r/e2: the backend reset the connection", Deadline());

        var broken = await Assert.ThrowsAsync<TunnelBrokenException>(async () => await TunnelFrames.ReadAsync(near.FromHop, new byte[TunnelFrames.MaxPayload], Deadline()));
        Assert.Equal("service default/db at site a/r/e2: the backend reset the connection", broken.Message);
        await running.WaitAsync(Deadline());
    }

    [Fact]
    public async Task NothingMovesForTheIdleTimeout_BothSidesAreToldAndTheHopEnds()
    {
        var time = new FakeTimeProvider();
        var near = new Neighbour("site a/r/e1");
        var far = new Neighbour("site a/r/e2");
        var relay = new TunnelRelay(near.Side, far.Side, "a/r", Idle, time);
        var running = relay.RunAsync(Deadline());
        await near.SendAsync("x"u8.ToArray());
        Assert.Equal(1, await TunnelFrames.ReadAsync(far.FromHop, new byte[TunnelFrames.MaxPayload], Deadline()));

        time.Advance(Idle - TimeSpan.FromSeconds(1));
        Assert.False(running.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await running.WaitAsync(Deadline());

        const string Reason = "site a/r closed the tunnel after 120 s idle";
        Assert.Equal(Reason, relay.Failure);
        foreach (var told in new[] { near.FromHop, far.FromHop })
        {
            var broken = await Assert.ThrowsAsync<TunnelBrokenException>(async () => await TunnelFrames.ReadAsync(told, new byte[TunnelFrames.MaxPayload], Deadline()));
            Assert.Equal(Reason, broken.Message);
        }
    }

    [Fact]
    public async Task ABrokenFrameLongerThanItsLimit_IsRefused()
    {
        var header = new byte[TunnelFrames.HeaderLength];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header, 0x8000_0000u | (TunnelFrames.MaxReasonBytes + 1));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(async () => await TunnelFrames.ReadAsync(new MemoryStream(header), new byte[TunnelFrames.MaxPayload], Deadline()));

        Assert.Equal($"tunnel broken-frame of {TunnelFrames.MaxReasonBytes + 1} bytes is larger than the limit of {TunnelFrames.MaxReasonBytes}", refused.Message);
    }
}
