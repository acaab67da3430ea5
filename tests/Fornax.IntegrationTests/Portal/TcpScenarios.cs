using System.Security.Cryptography;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>
/// What every tunnel must do whichever way it goes (direct between portals, or relayed by a common ancestor): each runs a
/// real TCP backend at e2, forwards to it from e1 and checks the bytes, the half-closes and the route taken.
/// </summary>
internal static class TcpScenarios
{
    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    /// <summary>8 MiB sent and echoed at once: more than every buffer on the way holds, so each hop must keep both directions moving.</summary>
    public static async Task LargePayloadBothWaysArrivesWholeAsync(Fornax.Node.Trees.TreeHost tree, string route)
    {
        await using var echo = TcpBackend.Echo();
        await TcpForwarding.ServeTcpAtE2Async(tree, "echo", echo.Port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "echo");
        await using var _ = forwarder;
        var payload = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var ct = Deadline();

        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        var reading = SocketReads.ReadToEndAsync(socket, ct);
        await TcpForwarding.SendAndShutdownAsync(socket, payload, ct);
        var echoed = await reading;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
        Assert.Equal([route], routes);
        Assert.Empty(failures);
    }

    /// <summary>The backend answers only once it has seen the end of the client's data: the half-close crosses every portal.</summary>
    public static async Task ClientEndsFirst_StillReadsTheBackendsAnswerAsync(Fornax.Node.Trees.TreeHost tree, string route)
    {
        await using var digest = TcpBackend.DigestAtEnd();
        await TcpForwarding.ServeTcpAtE2Async(tree, "digest", digest.Port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "digest");
        await using var _ = forwarder;
        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var ct = Deadline();

        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        await TcpForwarding.SendAndShutdownAsync(socket, payload, ct);
        var answer = System.Text.Encoding.ASCII.GetString(await SocketReads.ReadToEndAsync(socket, ct));

        Assert.Equal($"{payload.Length} {Convert.ToHexStringLower(SHA256.HashData(payload))}\n", answer);
        Assert.Equal([route], routes);
        Assert.Empty(failures);
    }

    /// <summary>The backend's end of data reaches the client while the client's side stays open, and the client's data still flows.</summary>
    public static async Task BackendEndsFirst_ClientStillSendsItsDataAsync(Fornax.Node.Trees.TreeHost tree, string route)
    {
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var banner = "220 ready, and that is all from me\r\n"u8.ToArray();
        await using var first = TcpBackend.SpeaksFirst(banner, received);
        await TcpForwarding.ServeTcpAtE2Async(tree, "banner", first.Port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "banner");
        await using var _ = forwarder;
        var payload = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 5);
        var ct = Deadline();

        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        var heard = await SocketReads.ReadToEndAsync(socket, ct);
        await TcpForwarding.SendAndShutdownAsync(socket, payload, ct);
        var got = await received.Task.WaitAsync(ct);

        Assert.Equal(banner, heard);
        Assert.Equal(payload.Length, got.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(got));
        Assert.Equal([route], routes);
        Assert.Empty(failures);
    }
}
