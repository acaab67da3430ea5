using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fornax.Core.Objects;
using Fornax.Emulation;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>A request's deadline is the first portal's: every further hop gets what is left of it.</summary>
public sealed class PortalDeadlineTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task BackendHangs_CancelCannotReachTheServingSite_ItLetsGoAtTheFirstPortalsDeadline()
    {
        // e2's link has a latency, so the direct path to e2's portal is emulated and a blackhole on that link holds it too.
        var topology = PortalTree.Topology();
        topology.Spec!.Sites!.Single(s => s.Name == "e2").Link = new LinkProfile { Latency = "1ms" };
        await using var tree = await TreeHost.StartAsync(topology, PortalTree.Steady);
        await tree.WaitConnectedAsync();
        // e1 waits 3 s; e2 keeps its own 30 s, which it must not use here. (3 s, not less: the call's first connection to
        // e2's portal, mutual TLS on a busy machine, must reach e2 well within e1's deadline, or e2 never dials.)
        await tree.RestartAsync("e1", options => options with { PortalRequestTimeout = TimeSpan.FromSeconds(3) });
        await using var silent = new SilentBackend();
        await PortalTree.ServeAddressAtE2Async(tree, "silent", silent.Port);

        var calling = PortalTree.CallAsync(tree["e1"], "/svc/default/silent/");
        await Poll.UntilAsync(() => silent.Accepted.Count == 1 || calling.IsCompleted, "e2 to dial the backend", TimeSpan.FromSeconds(20));
        if (silent.Accepted.IsEmpty)
        {
            Assert.Fail($"e1 answered before e2 dialled the backend: {await DescribeAsync(calling)}");
        }

        // From now on nothing e1 sends reaches e2: not its cancel, not a reset of the connection.
        tree.Cut("r", "e2", LinkCutMode.Blackhole);
        using var response = await calling;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("service default/silent did not answer site a/r/e1 within 3 s (a/r/e2: timed out)\n", await response.Content.ReadAsStringAsync());
        // e2 gave up on the backend at the deadline e1 sent, long before its own 30 s.
        await Poll.UntilAsync(() => silent.Accepted.All(c => c.Closed), "e2 to close its connection to the hanging backend", TimeSpan.FromSeconds(10));
    }

    private static async Task<string> DescribeAsync(Task<HttpResponseMessage> calling)
    {
        using var response = await calling;
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>Takes connections and never answers; notes when the other side closes one.</summary>
    private sealed class SilentBackend : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        public SilentBackend()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public ConcurrentBag<Connection> Accepted { get; } = [];

        public sealed class Connection
        {
            public volatile bool Closed;
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var connection = new Connection();
                Accepted.Add(connection);
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        var buffer = new byte[4096];
                        try
                        {
                            while (await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
                            {
                            }
                        }
                        catch (Exception e) when (e is SocketException or OperationCanceledException)
                        {
                        }

                        connection.Closed = true;
                    }
                });
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
