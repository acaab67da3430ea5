using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Fornax.Cli.Tests;

/// <summary>`fornax node run` as a real OS process: what an operator runs, killed as a power cut would.</summary>
public sealed class NodeProcessTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task NodeRun_KilledRightAfterAcknowledgedApplies_LosesNothing()
    {
        var dataDir = Directory.CreateTempSubdirectory("fornax-kill9-").FullName;
        try
        {
            var acknowledged = new List<string>();
            using (var first = StartNode(dataDir))
            {
                var api = await WaitForEndpointsAsync(dataDir, first);
                using var http = new HttpClient { BaseAddress = new Uri(api) };
                for (var i = 0; i < 25; i++)
                {
                    var name = $"acked-{i}";
                    var body = $"{{\"apiVersion\":\"fornax.io/v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}},\"data\":{{\"i\":\"{i}\"}}}}";
                    using var response = await http.PutAsync($"/apis/fornax.io/v1/namespaces/default/configmaps/{name}", new StringContent(body, Encoding.UTF8, "application/json"));
                    response.EnsureSuccessStatusCode();
                    acknowledged.Add(name);
                }

                first.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no flush.
                await first.WaitForExitAsync();
            }

            File.Delete(Path.Combine(dataDir, "endpoints.json"));
            using var second = StartNode(dataDir);
            try
            {
                var api = await WaitForEndpointsAsync(dataDir, second);
                using var http = new HttpClient { BaseAddress = new Uri(api) };
                var list = await http.GetFromJsonAsync<JsonObject>("/apis/fornax.io/v1/namespaces/default/configmaps");
                var names = list!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToHashSet();
                var lost = acknowledged.Except(names).ToList();
                Assert.True(lost.Count == 0, $"lost after kill -9: {string.Join(", ", lost)}");
                Assert.Equal(25, acknowledged.Count);
            }
            finally
            {
                second.Kill(entireProcessTree: true);
                await second.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static Process StartNode(string dataDir)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "fornax.dll"), "node", "run", "--data-dir", dataDir, "--name", "crash", "--api-port", "0", "--ingress-port", "0", "--resp-port", "0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> WaitForEndpointsAsync(string dataDir, Process process)
    {
        var path = Path.Combine(dataDir, "endpoints.json");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"fornax node run exited with {process.ExitCode}");
            }

            if (File.Exists(path))
            {
                return JsonNode.Parse(await File.ReadAllTextAsync(path))!["api"]!.GetValue<string>();
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("fornax node run did not write endpoints.json within 60 s");
    }
}
