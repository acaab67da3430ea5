using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Spectre.Console;

namespace Fornax.Cli.Commands.Demo;

/// <summary>Step 7: a service called at one edge site and served at another, portal to portal; then the route after a cut.</summary>
internal sealed partial class DemoCommand
{
    private const string Greeter = "greeter";

    private async Task CallAcrossPortalsAsync(TreeHost tree, string digest, TimeSpan step, CancellationToken ct)
    {
        var console = _context.Out;
        var cloud = tree["cloud"];
        console.MarkupLine("[bold]7. Call a service across the edge portals.[/] A mission deploys the same module as the function [aqua]greeter[/] at east-2 and west-1 only; every site's portal learns where it is served over the links, and a call at east-1 ([aqua]/svc/default/greeter/[/] on its ingress) goes portal to portal over mutual TLS to the nearest site serving it. [aqua]Fornax-Route[/] lists the sites it passed:");
        await TreeHost.ApplyAsync(cloud, "missions", "greeter", $$"""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: greeter}
            spec:
              placement: {sites: [east-2, west-1]}
              content:
                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {name: {{Greeter}}}
                  spec: {module: "{{digest}}"}
            """);
        var caller = tree["east-1"];
        // Each step prints the call it waited for, not another one after it.
        (int Status, string Body, string Route) call = default;
        await WaitAsync(async () => (call = await CallGreeterAsync(caller, ct)).Route.EndsWith("cloud/east/east-2", StringComparison.Ordinal), "east-1 to reach greeter at east-2", step);
        PrintCall(caller, call);

        console.MarkupLine("   [bold]Cut the link east ↔ east-2.[/] Once east marks east-2 offline, every portal hears it, and east-1's portal takes the next site serving greeter:");
        tree.Cut("east", "east-2");
        await WaitAsync(async () => (call = await CallGreeterAsync(caller, ct)).Route.EndsWith("cloud/west/west-1", StringComparison.Ordinal), "east-1 to fail over to greeter at west-1", step);
        PrintCall(caller, call);
        tree.Heal("east", "east-2");
    }

    private void PrintCall(TreeSite caller, (int Status, string Body, string Route) call) =>
        _context.Out.MarkupLine($"   [aqua]GET {Markup.Escape(caller.Node.Endpoints.Ingress)}/svc/default/{Greeter}/?name=east-1[/] → {call.Status} {Markup.Escape(call.Body)}  [bold]Fornax-Route: {Markup.Escape(call.Route)}[/]");

    private static async Task<(int Status, string Body, string Route)> CallGreeterAsync(TreeSite caller, CancellationToken ct)
    {
        using var ingress = new HttpClient { BaseAddress = new Uri(caller.Node.Endpoints.Ingress), Timeout = TimeSpan.FromSeconds(10) };
        using var response = await ingress.GetAsync($"/svc/default/{Greeter}/?name=east-1", ct);
        var body = (await response.Content.ReadAsStringAsync(ct)).Split('\n')[0];
        var route = response.Headers.TryGetValues("Fornax-Route", out var passed) ? string.Join(", ", passed) : "";
        return ((int)response.StatusCode, body, (int)response.StatusCode == 200 ? route : "");
    }
}
