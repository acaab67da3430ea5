using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Fornax.Cli.Configuration;
using Fornax.Core.Validation;
using Fornax.Portal;
using Fornax.Portal.Tunnels;
using Spectre.Console;

namespace Fornax.Cli.Commands.Portal;

/// <summary>
/// <c>fornax portal forward SERVICE --local-port N [--namespace NS] [--site S] [--token-file F]</c>: listens on 127.0.0.1:N
/// and tunnels each connection to a backend of a <c>tcp</c> service through the portal of the site picked by <c>--site</c>
/// (and from there portal to portal), as the holder of the user token in F (the caller's namespace, which the Service's
/// <c>spec.allowedNamespaces</c> is checked against). Runs until Ctrl+C; one line per connection opened or failed.
/// </summary>
internal sealed class PortalCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Argument<string> _service = new Argument<string>("SERVICE") { Description = "The tcp service's name" }.WithoutOptionTokens();
    private readonly Option<int> _localPort = new("--local-port") { Description = "The local port to listen on (0: any free port)", Required = true };
    private readonly Option<string> _namespace = new("--namespace", "-n") { Description = "The service's namespace", DefaultValueFactory = _ => "default" };
    private readonly Option<string> _address = new("--address") { Description = "The local address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly Option<string> _tokenFile = new("--token-file") { Description = "A file whose first line is a user token of the site (fornax token create --user --namespace NS): the tunnels are that namespace's calls" };
    private readonly Option<string> _idle = new("--idle-timeout") { Description = "Close a connection after this long with no byte either way", DefaultValueFactory = _ => "15m" };

    public PortalCommand(CliContext context, SiteTargets sites)
        : base("portal", "Reach services through the edge portals")
    {
        _context = context;
        _sites = sites;
        var forward = new Command("forward", "Listen on a local port and tunnel each connection to a tcp service through the portals") { _service, _localPort, _namespace, _address, _idle, _tokenFile };
        forward.SetAction(ForwardAsync);
        Subcommands.Add(forward);
    }

    private async Task<int> ForwardAsync(ParseResult parse, CancellationToken ct)
    {
        var service = new ServiceKey(parse.GetValue(_namespace)!, parse.GetValue(_service)!);
        var port = parse.GetValue(_localPort);
        if (port is < 0 or > 65535)
        {
            throw new CliException($"--local-port {port}: not a port between 0 and 65535");
        }

        if (!IPAddress.TryParse(parse.GetValue(_address), out var address))
        {
            throw new CliException($"--address {parse.GetValue(_address)}: not an IP address");
        }

        if (!Durations.TryParse(parse.GetValue(_idle)!, out var idle) || idle <= TimeSpan.Zero)
        {
            throw new CliException($"--idle-timeout {parse.GetValue(_idle)}: not a positive duration like 15m");
        }

        var token = parse.GetValue(_tokenFile) is { } tokenFile ? ReadToken(Path.GetFullPath(tokenFile, _context.CurrentDirectory)) : null;
        using var site = _sites.Connect(parse);
        var ingress = new Uri(await site.GetIngressUrlAsync(ct));
        var route = Route(await site.GetServicesAsync(ct), service);
        PortalForwarder forwarder;
        try
        {
            forwarder = PortalForwarder.Start(new ForwardOptions(ingress, service, new IPEndPoint(address, port)) { IdleTimeout = idle, TimeProvider = _context.Time, Token = token });
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new CliException($"--local-port {port}: cannot listen on {address}:{port}: {e.Message}");
        }

        await using (forwarder)
        {
            var console = _context.Out;
            var error = _context.Error;
            forwarder.Opened += (peer, passed) => console.MarkupLine($"[grey]{Markup.Escape(peer?.ToString() ?? "")}[/] → {Markup.Escape(service.ToString())} via {Markup.Escape(passed)}");
            forwarder.Failed += (peer, reason) => error.MarkupLine($"[red]{Markup.Escape(peer?.ToString() ?? "")}[/]: {Markup.Escape(reason)}");
            console.MarkupLine($"Forwarding {Markup.Escape(forwarder.LocalEndPoint.ToString())} → service {Markup.Escape(service.ToString())} ({Markup.Escape(route)}); Ctrl+C to stop");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>The first line of the token file: a secret stays off the command line, where other local users can read it (ps).</summary>
    private static string ReadToken(string path)
    {
        string? line;
        try
        {
            using var reader = new StreamReader(path);
            line = reader.ReadLine()?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--token-file {path}: cannot read it: {e.Message}");
        }

        return line is { Length: > 0 } ? line : throw new CliException($"--token-file {path}: the first line is empty; it must hold a user token (fornax token create --user --namespace NS)");
    }

    /// <summary>The route the site's portal takes now; a service no site announces is refused before listening.</summary>
    private static string Route(JsonObject services, ServiceKey service)
    {
        var sitePath = services["site"]?.GetValue<string>() ?? "?";
        var entry = (services["services"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(s => s["namespace"]?.GetValue<string>() == service.Namespace && s["name"]?.GetValue<string>() == service.Name)
            ?? throw new CliException($"service {service} is not known at site {sitePath}: no site of the tree announces it");
        return entry["route"]?.ToString() is { Length: > 0 } route ? route : "no healthy backend now";
    }
}
