using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Dashboard;

/// <summary>
/// The web dashboard on the API port: the page at <c>/ui</c>, one live feed per open page
/// (<c>GET /api/dashboard/events</c>) and apply-from-YAML (<c>POST /api/dashboard/apply</c>). See docs/dashboard.md.
/// </summary>
public static class DashboardEndpoints
{
    public static IServiceCollection AddFornaxDashboard(this IServiceCollection services) =>
        services.AddSingleton(_ => DashboardAssets.Load()).AddSingleton<DashboardApply>().AddSingleton<DashboardFeedFactory>();

    public static IEndpointRouteBuilder MapFornaxDashboard(this IEndpointRouteBuilder app)
    {
        var api = new ListenerMetadata(Listeners.Api);
        // "/ui" matches the catch-all too; the page's relative links need the trailing slash.
        app.MapGet("/ui/{**path}", (string? path, HttpContext http, DashboardAssets assets) =>
            http.Request.Path.Value == "/ui" ? Results.Redirect("/ui/", permanent: true) : assets.Serve(http, path)).WithMetadata(api);
        app.MapGet("/api/dashboard/events", (HttpContext http, DashboardFeedFactory feeds) => feeds.RunAsync(http)).WithMetadata(api);
        app.MapPost("/api/dashboard/apply", (HttpRequest request, DashboardApply apply) => apply.ApplyAsync(request)).WithMetadata(api);
        return app;
    }
}
