using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fornax.Bench.Http;

/// <summary>The two servers of the comparison: a real site with functions deployed, and a bare Kestrel endpoint.</summary>
internal static class Sites
{
    /// <summary>Starts a site and deploys each example module under its name, as the CLI would (blob, then Function).</summary>
    public static async Task<(SiteNode Node, string DataDirectory)> StartNodeAsync(int maxConcurrency, params (string Name, string Guest)[] functions)
    {
        var data = Directory.CreateTempSubdirectory("fornax-bench-http-").FullName;
        var node = await SiteNode.StartAsync(new NodeOptions { DataDirectory = data, Name = "bench", LogLevel = LogLevel.Warning });
        using var api = new HttpClient { BaseAddress = new Uri(node.Endpoints.Api) };
        foreach (var (name, guest) in functions)
        {
            var module = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "guests", guest));
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(module));
            (await api.PutAsync($"/blobs/{digest}", new ByteArrayContent(module) { Headers = { ContentType = new("application/octet-stream") } })).EnsureSuccessStatusCode();
            var yaml = $"apiVersion: fornax.io/v1\nkind: Function\nmetadata: {{name: {name}}}\nspec: {{module: \"{digest}\", scale: {{maxConcurrency: {maxConcurrency}}}}}\n";
            var put = await api.PutAsync($"/apis/fornax.io/v1/namespaces/default/functions/{name}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
            if (!put.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"deploying {name}: {await put.Content.ReadAsStringAsync()}");
            }

            var until = DateTime.UtcNow.AddSeconds(30);
            while ((await api.GetFromJsonAsync<JsonObject>($"/apis/fornax.io/v1/namespaces/default/functions/{name}"))?["status"]?["phase"]?.GetValue<string>() != "Ready")
            {
                if (DateTime.UtcNow > until)
                {
                    throw new TimeoutException($"function {name} did not become Ready");
                }

                await Task.Delay(50);
            }
        }

        return (node, data);
    }

    /// <summary>A bare Kestrel endpoint answering <paramref name="path"/> with the same status, headers and bytes.</summary>
    public static async Task<WebApplication> StartBareAsync(string path, HttpResponseMessage sample)
    {
        var body = await sample.Content.ReadAsByteArrayAsync();
        var contentType = sample.Content.Headers.ContentType?.ToString();
        var headers = sample.Headers.Where(h => h.Key is not ("Date" or "Server-Timing" or "Transfer-Encoding")).ToList();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(System.Net.IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        app.MapGet(path, async context =>
        {
            context.Response.ContentType = contentType;
            foreach (var (name, values) in headers)
            {
                context.Response.Headers.Append(name, values.ToArray());
            }

            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await app.StartAsync();
        return app;
    }
}
