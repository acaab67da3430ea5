using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;
using Fornax.Testing;

namespace Fornax.Cli.Tests.Release;

/// <summary>What the release tests ask of a running release build (native or emulated), one feature per step.</summary>
internal static class ReleaseSteps
{
    /// <summary>
    /// The mission examples/missions/hello-function.yaml, applied with the CLI at <paramref name="applyAt"/>, is reported
    /// Active for <paramref name="sitePath"/> there, within <paramref name="deadline"/> (60 s if not given).
    /// </summary>
    public static async Task MissionActiveAsync(TestCli cli, string applyAt, string sitePath, SiteProcess site, TimeSpan? deadline = null)
    {
        var mission = Path.Combine(AppContext.BaseDirectory, "examples", "missions", "hello-function.yaml");
        var apply = await cli.RunAsync("apply", "-f", mission, "--site", applyAt);
        Assert.True(apply.ExitCode == 0, apply.Stderr);

        using var http = new HttpClient();
        JsonObject? found = null;
        await Poll.UntilAsync(
            async () => (found = await http.GetFromJsonAsync<JsonObject>(applyAt + RealSite.ObjectPath("missions", "hello-function")))?["status"]?["state"]?[sitePath]?.GetValue<string>() == "Active",
            $"the mission to be reported Active for {sitePath}", deadline ?? TimeSpan.FromSeconds(60),
            () => Task.FromResult($"{found?["status"]}\n{site.Output}"));
    }

    /// <summary>
    /// The delivered Wasm function <c>hello</c> answers at the site's ingress, at <paramref name="path"/> (<c>/fn/hello</c>
    /// or the portal's <c>/svc/default/hello/</c>). Polled: the function is served once the site's registry has loaded it
    /// from the store, and the portal once the site's service map holds it (404 until then). Until the site's own
    /// announcement is in its map (within a heartbeat of the load), the portal may route to another site serving hello:
    /// polled until this site answers, which it must once the map holds it (local first).
    /// </summary>
    public static async Task HelloAnswersAsync(SiteEndpointsInfo endpoints, SiteProcess site, string path, string name, string siteName)
    {
        // A bound per request, not a timing check: the first call compiles the module (with Cranelift, under qemu on arm64).
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        string? answer = null;
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await http.GetAsync($"{endpoints.Ingress}{path}?name={name}");
                answer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return response.IsSuccessStatusCode && answer.Contains($" from {siteName}!", StringComparison.Ordinal);
            },
            $"the Wasm function hello to answer at {path} from {siteName}", TimeSpan.FromMinutes(2), () => Task.FromResult($"{answer}\n{site.Output}"));
        // The hello example greets, then echoes the request's path.
        Assert.Equal($"200 Hello, {name} from {siteName}!", answer!.Split('\n')[0]);
    }
}
