using System.Collections.Concurrent;
using System.Net;
using Fornax.Emulation;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fornax.IntegrationTests.Portal;

/// <summary>Between remote backends, the portal picks the one nearest by the links' measured round trips.</summary>
public sealed class PortalLatencyTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(40);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task TwoRemoteBackends_TheFasterByMeasuredLinkLatencyAnswers_TheChoiceFollowsALatencyChange()
    {
        // From e1, the root a is two links away (e1-r, r-a) and e2 two as well (e1-r, r-e2): only latency tells them apart.
        await using var tree = await PortalTree.StartAsync("a", "e2");

        tree.LinkBetween("r", "e2").UpdateProfile(new LinkProfileOptions { Latency = Slow });
        await WaitForLatencyAsync(tree, slow: "e2", fast: "r");
        await AssertServedByAsync(tree, "a/r/e1, a", "a");

        tree.LinkBetween("r", "e2").UpdateProfile(LinkProfileOptions.Unlimited);
        tree.LinkBetween("a", "r").UpdateProfile(new LinkProfileOptions { Latency = Slow });
        await WaitForLatencyAsync(tree, slow: "r", fast: "e2");
        await AssertServedByAsync(tree, "a/r/e1, a/r/e2", "e2");
    }

    [Fact]
    public async Task AnUplinkLatencyChange_IsAnnounced_WithoutRepeatingTheServicesInTheLog()
    {
        await using var tree = await TreeHost.StartAsync(PortalTree.Topology(), new TreeHostOptions { LogLevel = LogLevel.Debug });
        await tree.WaitConnectedAsync();
        var e2 = tree["e2"];
        await Poll.UntilAsync(() => PortalTree.Map(e2).UplinkLatency(e2.Path) is not null, "e2 to announce its uplink's round trip", TimeSpan.FromSeconds(30));
        var lines = new ConcurrentQueue<string>();
        e2.Node.Services.GetRequiredService<ILoggerFactory>().AddProvider(new Collector(lines));

        tree.LinkBetween("r", "e2").UpdateProfile(new LinkProfileOptions { Latency = Slow });
        await Poll.UntilAsync(() => PortalTree.Map(e2).UplinkLatency(e2.Path) > Slow, "e2 to announce its slower uplink", TimeSpan.FromSeconds(30));

        // The announcement changed (the debug line says so); what e2 serves did not, so the information line is not repeated.
        Assert.Contains(lines, l => l.Contains("announcement changed (uplink round trip", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("This site serves", StringComparison.Ordinal));
    }

    /// <summary>Every line logged through the factory it is added to.</summary>
    private sealed class Collector(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }

    /// <summary>Until e1's map holds the uplink round trip <paramref name="slow"/> announced as the slow one, and the other fast.</summary>
    private static Task WaitForLatencyAsync(TreeHost tree, string slow, string fast) =>
        Poll.UntilAsync(() =>
            PortalTree.Map(tree["e1"]).UplinkLatency(tree[slow].Path) > Slow
            && PortalTree.Map(tree["e1"]).UplinkLatency(tree[fast].Path) < Slow / 2,
            $"e1 to hear {slow}'s uplink is slow and {fast}'s fast",
            TimeSpan.FromSeconds(30),
            () => $"{slow}: {PortalTree.Map(tree["e1"]).UplinkLatency(tree[slow].Path)}, {fast}: {PortalTree.Map(tree["e1"]).UplinkLatency(tree[fast].Path)}");

    private static async Task AssertServedByAsync(TreeHost tree, string route, string site)
    {
        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=latency");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(route, PortalTree.Route(response));
        Assert.Contains($"from {site}!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
