using System.Diagnostics;
using System.Net.Sockets;
using CsCheck;
using Fornax.Core.Objects;
using Fornax.Emulation;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Emulation.Tests;

// Timing tests assert lower bounds only (a delay can never be shorter than configured), so a slow, shared
// machine makes them slower, never red.
#pragma warning disable CA1001 // xUnit disposes it through IAsyncLifetime.DisposeAsync
public sealed class LinkEmulatorTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);
    private EchoServer _echo = null!;

    public Task InitializeAsync()
    {
        _echo = new EchoServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _echo.DisposeAsync();

    [Fact]
    public async Task Bytes_InRandomChunks_ArriveIntactAndInOrder_BothWays()
    {
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, LinkProfileOptions.Unlimited, TimeProvider.System);

        await Gen.Byte.Array[1, 5000].Array[1, 20].SampleAsync(async chunks =>
        {
            using var socket = await Sockets.ConnectAsync(link.Endpoint);
            var expected = chunks.SelectMany(c => c).ToArray();
            var echoed = Sockets.ReceiveExactlyAsync(socket, expected.Length);
            foreach (var chunk in chunks)
            {
                await Sockets.SendAllAsync(socket, chunk);
            }

            Assert.Equal(expected, await echoed.WaitAsync(Generous));
        }, iter: 50, threads: 1);
    }

    [Fact]
    public async Task Bytes_WithLatencyAndLoss_StillArriveIntactAndInOrder()
    {
        var profile = new LinkProfileOptions { Latency = TimeSpan.FromMilliseconds(1), Loss = 0.3, RetransmitPenalty = TimeSpan.FromMilliseconds(3), Seed = 7 };
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, profile, TimeProvider.System);

        await Gen.Byte.Array[1, 3000].Array[1, 10].SampleAsync(async chunks =>
        {
            using var socket = await Sockets.ConnectAsync(link.Endpoint);
            var expected = chunks.SelectMany(c => c).ToArray();
            var echoed = Sockets.ReceiveExactlyAsync(socket, expected.Length);
            foreach (var chunk in chunks)
            {
                await Sockets.SendAllAsync(socket, chunk);
            }

            Assert.Equal(expected, await echoed.WaitAsync(Generous));
        }, iter: 20, threads: 1);
    }

    [Fact]
    public async Task ManyConcurrentConnections_EachGetsItsOwnBytesBack()
    {
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, new LinkProfileOptions { Latency = TimeSpan.FromMilliseconds(5) }, TimeProvider.System);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var socket = await Sockets.ConnectAsync(link.Endpoint);
            var payload = Enumerable.Range(0, 20_000).Select(j => (byte)(i + j)).ToArray();
            var echoed = Sockets.ReceiveExactlyAsync(socket, payload.Length);
            await Sockets.SendAllAsync(socket, payload);
            Assert.Equal(payload, await echoed.WaitAsync(Generous));
        }));

        Assert.Equal(100, link.ConnectionsAccepted);
        Assert.Equal(2_000_000, link.BytesUp);
        Assert.Equal(2_000_000, link.BytesDown);
    }

    [Fact]
    public async Task HalfClose_TravelsAfterTheData()
    {
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, new LinkProfileOptions { Latency = TimeSpan.FromMilliseconds(20) }, TimeProvider.System);
        using var socket = await Sockets.ConnectAsync(link.Endpoint);

        await Sockets.SendAllAsync(socket, "last words"u8.ToArray());
        socket.Shutdown(SocketShutdown.Send);

        Assert.Equal("last words"u8.ToArray(), await Sockets.ReceiveExactlyAsync(socket, 10).WaitAsync(Generous));
        Assert.Equal(0, await socket.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(Generous));
    }

    [Fact]
    public async Task Latency_EveryRoundTrip_TakesAtLeastTwiceTheOneWayDelay()
    {
        var latency = TimeSpan.FromMilliseconds(40);
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, new LinkProfileOptions { Latency = latency }, TimeProvider.System);
        using var socket = await Sockets.ConnectAsync(link.Endpoint);

        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            await Sockets.SendAllAsync(socket, new byte[] { (byte)i });
            Assert.Equal(new[] { (byte)i }, await Sockets.ReceiveExactlyAsync(socket, 1).WaitAsync(Generous));
            Assert.True(watch.Elapsed >= 2 * latency, $"round trip {i} took {watch.Elapsed.TotalMilliseconds} ms, less than {2 * latency.TotalMilliseconds} ms");
        }
    }

    [Fact]
    public async Task Latency_DoesNotSerializeChunks_ManyInFlightArriveAfterOneDelay()
    {
        // A delay queue, not a sleep per chunk: with the clock stopped the link must take in all 20 chunks sent
        // back to back, and one step of the clock by the latency must let all of them through at once. A sleep per
        // chunk would hold the second chunk unread until the first is delivered, and never reach 20 in flight.
        var time = new FakeTimeProvider();
        var latency = TimeSpan.FromMilliseconds(200);
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, new LinkProfileOptions { Latency = latency }, time);
        using var socket = await Sockets.ConnectAsync(link.Endpoint);
        var echoed = Sockets.ReceiveExactlyAsync(socket, 20);

        for (var i = 0; i < 20; i++)
        {
            await Sockets.SendAllAsync(socket, new byte[] { (byte)i });
            await Task.Delay(1);
        }

        await Poll.UntilAsync(() => link.BytesInFlight == 20, "20 chunks held in the link at once",
            describe: () => $"{link.BytesInFlight} bytes in flight, {link.BytesUp} delivered");
        Assert.Equal(0, link.BytesUp);

        time.Advance(latency);
        await Poll.UntilAsync(() => link.BytesUp == 20, "all 20 chunks delivered after one latency",
            describe: () => $"{link.BytesUp} bytes delivered, {link.BytesInFlight} in flight");

        // The echo comes back through the same delay queue the other way.
        await Poll.UntilAsync(() => link.BytesInFlight == 20, "20 echoed bytes held on the way back");
        time.Advance(latency);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)i).ToArray(), await echoed.WaitAsync(Generous));
        await Poll.UntilAsync(() => link.BytesInFlight == 0, "nothing left in flight");
    }

    [Fact]
    public async Task Bandwidth_NBytes_TakeAtLeastNOverTheRate()
    {
        const int bytes = 100_000;
        const long bitsPerSecond = 800_000; // 100 kB/s: 100 kB take a second each way
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, new LinkProfileOptions { BandwidthBitsPerSecond = bitsPerSecond }, TimeProvider.System);
        using var socket = await Sockets.ConnectAsync(link.Endpoint);
        var payload = new byte[bytes];
        Random.Shared.NextBytes(payload);

        var watch = Stopwatch.StartNew();
        var echoed = Sockets.ReceiveExactlyAsync(socket, bytes);
        await Sockets.SendAllAsync(socket, payload);
        Assert.Equal(payload, await echoed.WaitAsync(Generous));

        // The bucket's burst is 10 ms of traffic (1460 B here); the rest must be paced.
        var minimum = TimeSpan.FromSeconds((bytes - 1460) * 8.0 / bitsPerSecond);
        Assert.True(watch.Elapsed >= minimum, $"{bytes} bytes took {watch.Elapsed.TotalMilliseconds} ms, less than {minimum.TotalMilliseconds} ms");
        Assert.Equal(bytes, link.BytesUp);
        Assert.Equal(bytes, link.BytesDown);
    }

    [Fact]
    public async Task Bandwidth_IsSharedByTheConnectionsOfALink()
    {
        const int bytes = 50_000;
        const long bitsPerSecond = 800_000;
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, new LinkProfileOptions { BandwidthBitsPerSecond = bitsPerSecond }, TimeProvider.System);

        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var socket = await Sockets.ConnectAsync(link.Endpoint);
            var echoed = Sockets.ReceiveExactlyAsync(socket, bytes);
            await Sockets.SendAllAsync(socket, new byte[bytes]);
            await echoed.WaitAsync(Generous);
        }));

        var minimum = TimeSpan.FromSeconds(((2 * bytes) - 1460) * 8.0 / bitsPerSecond);
        Assert.True(watch.Elapsed >= minimum, $"took {watch.Elapsed.TotalMilliseconds} ms, less than {minimum.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Loss_ALostSegment_CostsTheRetransmitPenalty()
    {
        // With 90% segment loss, a 3-segment message escapes loss in both directions with probability 1e-6.
        var penalty = TimeSpan.FromMilliseconds(150);
        var profile = new LinkProfileOptions { Loss = 0.9, RetransmitPenalty = penalty, Seed = 1 };
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, profile, TimeProvider.System);
        using var socket = await Sockets.ConnectAsync(link.Endpoint);
        var payload = new byte[3 * LinkProfileOptions.SegmentBytes];

        var watch = Stopwatch.StartNew();
        var echoed = Sockets.ReceiveExactlyAsync(socket, payload.Length);
        await Sockets.SendAllAsync(socket, payload);
        await echoed.WaitAsync(Generous);

        Assert.True(watch.Elapsed >= penalty, $"took {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task UpdateProfile_AppliesToLiveConnections()
    {
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, LinkProfileOptions.Unlimited, TimeProvider.System);
        using var socket = await Sockets.ConnectAsync(link.Endpoint);
        await Sockets.SendAllAsync(socket, new byte[] { 1 });
        await Sockets.ReceiveExactlyAsync(socket, 1).WaitAsync(Generous);

        var latency = TimeSpan.FromMilliseconds(60);
        link.UpdateProfile(new LinkProfileOptions { Latency = latency });
        var watch = Stopwatch.StartNew();
        await Sockets.SendAllAsync(socket, new byte[] { 2 });
        await Sockets.ReceiveExactlyAsync(socket, 1).WaitAsync(Generous);

        Assert.True(watch.Elapsed >= 2 * latency, $"took {watch.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(latency, link.Profile.Latency);
    }

    [Fact]
    public async Task Cut_ClosesLiveConnections_AndRefusesNewOnesUntilHeal()
    {
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, LinkProfileOptions.Unlimited, TimeProvider.System);
        using var live = await Sockets.ConnectAsync(link.Endpoint);
        await Sockets.SendAllAsync(live, new byte[] { 1 });
        await Sockets.ReceiveExactlyAsync(live, 1).WaitAsync(Generous);

        link.Cut();

        Assert.True(link.IsCut);
        Assert.True(await Sockets.IsClosedAsync(live, Generous), "the live connection survived the cut");
        // The kernel accepts; the emulator resets it at once.
        Assert.True(await Sockets.IsRefusedAsync(link.Endpoint, Generous), "a new connection got through a cut link");

        link.Heal();

        Assert.False(link.IsCut);
        using var healed = await Sockets.ConnectAsync(link.Endpoint);
        await Sockets.SendAllAsync(healed, new byte[] { 2 });
        Assert.Equal(new[] { (byte)2 }, await Sockets.ReceiveExactlyAsync(healed, 1).WaitAsync(Generous));
        Assert.Equal(3, link.ConnectionsAccepted);
    }

    [Fact]
    public async Task Blackhole_StallsTrafficWithoutClosing_AndHealResumesIt()
    {
        await using var link = await LinkEmulator.StartAsync(_echo.Endpoint, LinkProfileOptions.Unlimited, TimeProvider.System);
        using var live = await Sockets.ConnectAsync(link.Endpoint);
        await Sockets.SendAllAsync(live, new byte[] { 1 });
        await Sockets.ReceiveExactlyAsync(live, 1).WaitAsync(Generous);

        link.Cut(LinkCutMode.Blackhole);
        using var fresh = await Sockets.ConnectAsync(link.Endpoint);
        await Sockets.SendAllAsync(live, new byte[] { 2 });
        await Sockets.SendAllAsync(fresh, new byte[] { 3 });
        var liveEcho = Sockets.ReceiveExactlyAsync(live, 1);
        var freshEcho = Sockets.ReceiveExactlyAsync(fresh, 1);

        // Held, not passed: the live connection's byte at delivery, its reader before the next read, and the fresh
        // connection's dial all wait at the blackhole. From then on nothing can pass until the heal.
        var until = DateTime.UtcNow + Generous;
        while (link.HeldAtBlackhole < 3)
        {
            Assert.True(DateTime.UtcNow < until, $"only {link.HeldAtBlackhole} of 3 waits held at the blackhole");
            await Task.Delay(10);
        }

        Assert.Equal(1, link.BytesUp);
        Assert.False(liveEcho.IsCompleted);
        Assert.False(freshEcho.IsCompleted);
        Assert.Equal(LinkCutMode.Blackhole, link.CutMode);

        link.Heal();

        Assert.Equal(new[] { (byte)2 }, await liveEcho.WaitAsync(Generous));
        Assert.Equal(new[] { (byte)3 }, await freshEcho.WaitAsync(Generous));
    }

    [Fact]
    public async Task Dispose_ClosesEverything()
    {
        var link = await LinkEmulator.StartAsync(_echo.Endpoint, LinkProfileOptions.Unlimited, TimeProvider.System);
        using var live = await Sockets.ConnectAsync(link.Endpoint);
        await Sockets.SendAllAsync(live, new byte[] { 1 });
        await Sockets.ReceiveExactlyAsync(live, 1).WaitAsync(Generous);

        await link.DisposeAsync();

        Assert.True(await Sockets.IsClosedAsync(live, Generous));
        Assert.Equal(0, link.ActiveConnections);
        await Assert.ThrowsAnyAsync<SocketException>(() => Sockets.ConnectAsync(link.Endpoint));
    }

    [Fact]
    public async Task Target_Unreachable_ResetsTheClient()
    {
        var closed = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, FreePort());
        await using var link = await LinkEmulator.StartAsync(closed, LinkProfileOptions.Unlimited, TimeProvider.System);

        Assert.True(await Sockets.IsRefusedAsync(link.Endpoint, Generous));
    }

    [Fact]
    public void Options_FromTopologyLinkProfile_ParseTheFornaxUnits()
    {
        var options = LinkProfileOptions.From(new LinkProfile { Latency = "40ms", Bandwidth = "10Mbit", Loss = 0.01 });

        Assert.Equal(TimeSpan.FromMilliseconds(40), options.Latency);
        Assert.Equal(10_000_000, options.BandwidthBitsPerSecond);
        Assert.Equal(0.01, options.Loss);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.EffectiveRetransmitPenalty);
        Assert.Equal(TimeSpan.FromMilliseconds(600), (options with { Latency = TimeSpan.FromMilliseconds(300) }).EffectiveRetransmitPenalty);
        Assert.Same(LinkProfileOptions.Unlimited, LinkProfileOptions.From(null));
        Assert.StartsWith("link.bandwidth: ", Assert.Throws<FormatException>(() => LinkProfileOptions.From(new LinkProfile { Bandwidth = "fast" })).Message);
    }

    [Theory]
    [InlineData(-1, 0, 0, "Latency")]
    [InlineData(0, -1, 0, "BandwidthBitsPerSecond")]
    [InlineData(0, 0, 1.0, "Loss")]
    [InlineData(0, 0, -0.1, "Loss")]
    public async Task Start_InvalidProfile_NamesTheField(int latencyMs, long bandwidth, double loss, string field)
    {
        var profile = new LinkProfileOptions { Latency = TimeSpan.FromMilliseconds(latencyMs), BandwidthBitsPerSecond = bandwidth, Loss = loss };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => LinkEmulator.StartAsync(_echo.Endpoint, profile, TimeProvider.System));
        Assert.StartsWith($"{field}: ", error.Message);
    }

    [Fact]
    public void LossDelay_FollowsThePerSegmentProbability()
    {
        var profile = new LinkProfileOptions { Loss = 0.1, RetransmitPenalty = TimeSpan.FromSeconds(1) };
        var random = new Random(42);

        var oneSegment = Enumerable.Range(0, 20_000).Count(_ => profile.LossDelay(LinkProfileOptions.SegmentBytes, random) > TimeSpan.Zero) / 20_000.0;
        var tenSegments = Enumerable.Range(0, 20_000).Count(_ => profile.LossDelay(10 * LinkProfileOptions.SegmentBytes, random) > TimeSpan.Zero) / 20_000.0;

        Assert.InRange(oneSegment, 0.09, 0.11);                          // p
        Assert.InRange(tenSegments, 0.65 - 0.02, 0.65 + 0.02);           // 1 - 0.9^10 ≈ 0.651
        Assert.Equal(TimeSpan.Zero, LinkProfileOptions.Unlimited.LossDelay(100_000, random));
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
