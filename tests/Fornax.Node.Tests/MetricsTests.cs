namespace Fornax.Node.Tests;

/// <summary><c>/metrics</c> of a site that shares its process with other sites (tests, the demo, the tree bench).</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_TwoSitesInOneProcess_EachShowsOnlyItsOwnListeners()
    {
        await using var a = await TestSite.StartAsync();
        await using var b = await TestSite.StartAsync();
        var portA = a.Http.BaseAddress!.Port;
        var portB = b.Http.BaseAddress!.Port;

        // A request to each, so both have a Kestrel connection and an HTTP request to count.
        Assert.Contains($"server_port=\"{portB}\"", await b.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
        var metrics = await a.Http.GetStringAsync("/metrics");

        Assert.Contains($"server_port=\"{portA}\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain($"server_port=\"{portB}\"", metrics, StringComparison.Ordinal);
    }
}
