using Fornax.Cli.Api;
using Fornax.Cli.Commands.Demo;
using Fornax.Cli.Configuration;
using Fornax.Core.Objects;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Cli.Tests;

public sealed class MissionStateWaiterTests : IAsyncLifetime
{
    private const string NoPlacement = "apiVersion: fornax.io/v1\nkind: Mission\nmetadata: {name: a}\nspec:\n  content: [{apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: a}}]\n";
    private const string EdgeOnly = "apiVersion: fornax.io/v1\nkind: Mission\nmetadata: {name: b}\nspec:\n  placement: {selector: {matchLabels: {fornax.io/tier: edge}}}\n  content: [{apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: b}}]\n";
    private RealSite _site = null!;

    public async Task InitializeAsync() => _site = await RealSite.StartAsync("cloud");

    public async Task DisposeAsync() => await _site.DisposeAsync();

    /// <summary>A client of the real site, and a task that completes when its watch request has been answered.</summary>
    private (SiteClient Client, Task WatchAnswered) Connect()
    {
        var seen = new WatchSeen(new SocketsHttpHandler());
        return (new SiteClient(new HttpClient(seen) { BaseAddress = new Uri(_site.Url + "/") }, new SiteTarget(_site.Url)), seen.Answered);
    }

    [Fact]
    public async Task WaitAsync_StateArrivingLater_IsSeenThroughTheWatch()
    {
        await _site.ApplyAsync(NoPlacement);
        await _site.WaitForMissionStateAsync("a");
        var (client, watchAnswered) = Connect();
        using var _ = client;

        var waiting = MissionStateWaiter.WaitAsync(client, "default", ["a", "b"], "cloud", TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        await watchAnswered.WaitAsync(TimeSpan.FromSeconds(30));
        // b does not exist until the watch runs, so its state (written by the site's mission controller) can only come through it.
        await _site.ApplyAsync(EdgeOnly);
        var states = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new Dictionary<string, string> { ["a"] = MissionStates.Active, ["b"] = MissionStates.NotMatch }, states);
    }

    [Fact]
    public async Task WaitAsync_NoStateBeforeTheDeadline_NamesTheMissionsStillWaiting()
    {
        // The wait is for child site cloud/east, which does not run here: only a gets a state for it, reported as a child's would be.
        await _site.ApplyAsync(NoPlacement + "---\n" + EdgeOnly);
        await _site.WaitForMissionStateAsync("a");
        await _site.WaitForMissionStateAsync("b");
        await _site.AddMissionStatesAsync("a", new Dictionary<string, string> { ["cloud/east"] = MissionStates.Active });
        var time = new FakeTimeProvider();
        var (client, watchAnswered) = Connect();
        using var _ = client;

        var waiting = MissionStateWaiter.WaitAsync(client, "default", ["a", "b"], "cloud/east", TimeSpan.FromSeconds(30), time, CancellationToken.None);
        await watchAnswered.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(31));
        var error = await Assert.ThrowsAsync<CliException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("no state for site cloud/east within 30s from mission(s) b", error.Message);
    }

    /// <summary>Completes <see cref="Answered"/> when the site has answered a <c>?watch=true</c> request (it sends headers once the watch is open).</summary>
    private sealed class WatchSeen(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Answered => _answered.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) == true)
            {
                _answered.TrySetResult();
            }

            return response;
        }
    }
}
