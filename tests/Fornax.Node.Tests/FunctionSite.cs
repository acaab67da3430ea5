using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Fornax.Testing;

namespace Fornax.Node.Tests;

/// <summary>Deploying and invoking functions on a <see cref="TestSite"/> the way the CLI does: upload the blob, PUT the object.</summary>
internal static class FunctionSite
{
    public static byte[] Guest(string relativePath) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "guests", relativePath));

    public static HttpClient Ingress(this TestSite site) =>
        new() { BaseAddress = new Uri(site.Node.Endpoints.Ingress), Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<string> UploadAsync(this TestSite site, byte[] module)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(module));
        var content = new ByteArrayContent(module);
        content.Headers.ContentType = new("application/octet-stream");
        var response = await site.Http.PutAsync($"/blobs/{digest}", content);
        response.EnsureSuccessStatusCode();
        return digest;
    }

    public static string FunctionYaml(string name, string digest, string extraSpec = "") =>
        $"apiVersion: fornax.io/v1\nkind: Function\nmetadata: {{name: {name}}}\nspec:\n  module: {digest}\n{extraSpec}";

    /// <summary>Uploads <paramref name="guest"/>, applies the Function and waits until the ingress serves it.</summary>
    public static async Task<string> DeployAsync(this TestSite site, string name, string guest, string extraSpec = "")
    {
        var digest = await site.UploadAsync(Guest(guest));
        var response = await site.PutYamlAsync("functions", name, FunctionYaml(name, digest, extraSpec));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await site.WaitUntilServedAsync(name, digest);
        return digest;
    }

    /// <summary>Waits until the registry has loaded <paramref name="digest"/> under <paramref name="name"/> (its status says Ready).</summary>
    public static Task WaitUntilServedAsync(this TestSite site, string name, string digest) =>
        Poll.UntilAsync(async () =>
        {
            var fn = await site.GetAsync("functions", name);
            return fn?["status"]?["phase"]?.GetValue<string>() == "Ready" && fn["status"]!["digest"]?.GetValue<string>() == digest;
        }, $"function {name} to be Ready with {digest}");

    public static async Task<JsonObject?> StatsAsync(this TestSite site, string name)
    {
        var stats = await site.Http.GetFromJsonAsync<JsonObject>("/api/functions/stats");
        return stats!["functions"]!.AsArray().Select(f => f!.AsObject()).FirstOrDefault(f => f["name"]!.GetValue<string>() == name);
    }

    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(this HttpClient ingress, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body);
        }

        using var response = await ingress.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
