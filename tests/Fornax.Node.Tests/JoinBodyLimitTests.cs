using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;

namespace Fornax.Node.Tests;

[CollectionDefinition(nameof(AllocationBudget), DisableParallelization = true)]
public sealed class AllocationBudget;

/// <summary>
/// <c>POST /api/join</c> is open to every address and reads before any credential is checked: its body is bounded
/// before it is read. Alone in its collection, so the allocation count is this test's own.
/// </summary>
[Collection(nameof(AllocationBudget))]
public sealed class JoinBodyLimitTests
{
    private const long HugeBytes = 64L * 1024 * 1024;

    [Fact]
    public async Task Join_64MiBBody_WithLength_Answers413Unread_AndTheTokenStaysUnused()
    {
        await using var site = await TestSite.StartAsync();
        var token = await JoinTokenAsync(site);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/join") { Content = HugeJoin(token, announceLength: true) };
        request.Headers.ExpectContinue = true; // so the client hears the refusal before it sends 64 MiB
        // Waiting for the site's answer however busy the machine is (the default is to send after one second).
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) }) { BaseAddress = site.Http.BaseAddress };
        using var response = await client.SendAsync(request);

        await AssertTooLargeAsync(response);
        await AssertJoinsAsync(site, token);
    }

    [Fact]
    public async Task Join_ChunkedBodyJustOverTheLimit_Answers413NamingIt_AndTheTokenStaysUnused()
    {
        await using var site = await TestSite.StartAsync();
        var token = await JoinTokenAsync(site);

        // Small enough that the client has sent it all before it reads the answer.
        using var response = await site.Http.PostAsync("/api/join", new StreamedBody($"{{\"token\":\"{token}\",\"name\":\"child\",\"csr\":\"", 300 * 1024, "\"}", announceLength: false)
        {
            Headers = { ContentType = new("application/json") },
        });

        await AssertTooLargeAsync(response);
        await AssertJoinsAsync(site, token);
    }

    [Fact]
    public async Task Join_FourChunked64MiBBodiesAtOnce_AreCutOffWithoutBuffering()
    {
        await using var site = await TestSite.StartAsync();
        var token = await JoinTokenAsync(site);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var client = new HttpClient { BaseAddress = site.Http.BaseAddress };
            try
            {
                using var response = await client.PostAsync("/api/join", HugeJoin(token, announceLength: false));
                return await StatusOfAsync(response);
            }
            catch (HttpRequestException e) when (e.InnerException is IOException)
            {
                // The site answered 413 and closed the connection while this client was still sending: HttpClient
                // reports the broken pipe, not the answer (the test above reads the answer of a smaller body).
                return 0;
            }
        }));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.All(answers, code => Assert.Contains(code, new[] { 0, 413 }));
        // Before the bound each of the four was parsed whole (64 MiB of string and more); now each stops at 256 KiB.
        Assert.True(allocated < 32L * 1024 * 1024, $"the site allocated {allocated / (1024 * 1024)} MiB for four refused joins");
        await AssertJoinsAsync(site, token);
    }

    private static StreamedBody HugeJoin(string token, bool announceLength) =>
        new($"{{\"token\":\"{token}\",\"name\":\"child\",\"csr\":\"", HugeBytes, "\"}", announceLength) { Headers = { ContentType = new("application/json") } };

    private static async Task<string> JoinTokenAsync(TestSite site)
    {
        using var response = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject());
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    private static async Task<int> StatusOfAsync(HttpResponseMessage response)
    {
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal((int)response.StatusCode, status!["code"]!.GetValue<int>());
        return (int)response.StatusCode;
    }

    private static async Task AssertTooLargeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("RequestEntityTooLarge", status!["reason"]!.GetValue<string>());
        Assert.Contains("too large", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("262144 bytes (the join limit)", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>The token was not used: a proper join with it still succeeds.</summary>
    internal static async Task AssertJoinsAsync(TestSite site, string token)
    {
        using var csr = SiteSigningRequest.Create("child");
        using var response = await site.Http.PostAsJsonAsync("/api/join", new JsonObject { ["token"] = token, ["name"] = "child", ["csr"] = csr.Pem });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
