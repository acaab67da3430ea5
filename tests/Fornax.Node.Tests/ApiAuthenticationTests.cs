using System.Net;
using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Api;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Node.Tests;

/// <summary>
/// The API's rule for callers that are not on loopback. A real non-loopback peer would need traffic to another address,
/// which tests here never send, so these drive the middleware with a request whose remote address is a TEST-NET one.
/// </summary>
public sealed class ApiAuthenticationTests
{
    private const int ApiPort = 7100;
    private static readonly IPAddress Remote = IPAddress.Parse("192.0.2.10");

    private readonly JoinTokenIssuer _tokens = new(new InMemoryTokenStore(), new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task Remote_WithoutToken_Gets401AndNothingRuns()
    {
        var (status, ran, body) = await SendAsync(Remote, "/apis/fornax.io/v1/namespaces/default/missions", authorization: null);

        Assert.Equal(401, status);
        Assert.False(ran);
        Assert.Contains("fornax token create --user", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Unauthorized", body["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Remote_WithUserToken_IsServed_ButAJoinTokenIsNotAUserToken()
    {
        var user = await _tokens.CreateUserTokenAsync();
        var join = await _tokens.CreateJoinTokenAsync();

        var (okStatus, okRan, _) = await SendAsync(Remote, "/apis/fornax.io/v1/namespaces/default/missions", $"Bearer {user.Token}");
        var (joinStatus, joinRan, _) = await SendAsync(Remote, "/apis/fornax.io/v1/namespaces/default/missions", $"Bearer {join.Token}");
        var (wrongStatus, _, _) = await SendAsync(Remote, "/metrics", "Bearer nope.nope");

        Assert.Equal(200, okStatus);
        Assert.True(okRan);
        Assert.Equal(401, joinStatus);
        Assert.False(joinRan);
        Assert.Equal(401, wrongStatus);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/api/join")]
    [InlineData("/ui")]
    [InlineData("/ui/")]
    [InlineData("/ui/js/main.js")]
    public async Task Remote_OpenPaths_NeedNoToken(string path)
    {
        var (status, ran, _) = await SendAsync(Remote, path, authorization: null);

        Assert.Equal(200, status);
        Assert.True(ran);
    }

    [Fact]
    public async Task Loopback_NeedsNoToken()
    {
        var (status, ran, _) = await SendAsync(IPAddress.Loopback, "/apis/fornax.io/v1/namespaces/default/missions", authorization: null);

        Assert.Equal(200, status);
        Assert.True(ran);
    }

    [Theory]
    [InlineData("/apis/fornax.io/v1/namespaces/default/missions")]
    [InlineData("/api/dashboard/events")]
    [InlineData("/uix")]
    public async Task Remote_DashboardDataAndLookalikePaths_NeedAToken(string path)
    {
        var (status, ran, _) = await SendAsync(Remote, path, authorization: null);

        Assert.Equal(401, status);
        Assert.False(ran);
    }

    [Fact]
    public async Task Loopback_AtASiteThatTrustsNoAddress_Gets401NamingWhy()
    {
        var (status, ran, body) = await SendAsync(IPAddress.Loopback, "/apis/fornax.io/v1/namespaces/default/missions", authorization: null, trustLoopback: false);

        Assert.Equal(401, status);
        Assert.False(ran);
        Assert.Contains("this site trusts no address, loopback included", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loopback_WithAWrongToken_Gets401()
    {
        var (status, ran, _) = await SendAsync(IPAddress.Loopback, "/apis/fornax.io/v1/namespaces/default/missions", "Bearer nope.nope");

        Assert.Equal(401, status);
        Assert.False(ran);
    }

    [Fact]
    public async Task RealSite_FromLoopback_ServesWithoutToken()
    {
        await using var site = await TestSite.StartAsync();

        var response = await site.Http.GetAsync(TestSite.ObjectsPath("missions"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<(int Status, bool Ran, JsonObject Body)> SendAsync(IPAddress remote, string path, string? authorization, bool trustLoopback = true)
    {
        var listeners = new Listeners { ApiPortOverride = ApiPort };
        var options = new NodeOptions { DataDirectory = "unused", TrustLoopback = trustLoopback };
        var services = new ServiceCollection().AddSingleton(listeners).AddSingleton(_tokens).AddSingleton(options).AddLogging().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Connection.RemoteIpAddress = remote;
        http.Connection.LocalPort = ApiPort;
        http.Request.Path = path;
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        var body = new MemoryStream();
        http.Response.Body = body;
        var ran = false;
        await ApiAuthentication.For(services)(http, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });
        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        return (http.Response.StatusCode, ran, text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject());
    }
}
