using System.CommandLine;
using System.Text;
using Fornax.Cli.Api;
using Fornax.Cli.Configuration;

namespace Fornax.Cli.Commands;

/// <summary>
/// <c>fornax invoke NAME [--data @file|-|TEXT] [-H k:v]... [-X METHOD] [--path /rest] [-i]</c>: calls
/// <c>/fn/NAME</c> at the site's ingress and prints the body (<c>-i</c>: status line and headers first, as <c>curl -i</c>).
/// Exit 0 on a 2xx answer, 1 otherwise.
/// </summary>
internal sealed class InvokeCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Argument<string> _name = new Argument<string>("NAME") { Description = "The function's name" }.WithoutOptionTokens();
    private readonly Option<string> _data = new("--data", "-d") { Description = "The request body: TEXT, @FILE, or - for standard input (makes the default method POST)" };
    private readonly Option<string[]> _headers = new("--header", "-H") { Description = "A request header 'Name: value' (repeatable)", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string> _method = new("--request", "-X") { Description = "The HTTP method (default GET, or POST with --data)" };
    private readonly Option<string> _path = new("--path") { Description = "The path (and query) after /fn/NAME, e.g. /items/7?full=1" };
    private readonly Option<bool> _include = new("--include", "-i") { Description = "Print the status line and headers before the body, as curl -i" };

    public InvokeCommand(CliContext context, SiteTargets sites)
        : base("invoke", "Call a function at a site's ingress and print its answer")
    {
        _context = context;
        _sites = sites;
        Arguments.Add(_name);
        Options.Add(_data);
        Options.Add(_headers);
        Options.Add(_method);
        Options.Add(_path);
        Options.Add(_include);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(_name)!;
        var body = await ReadDataAsync(parse.GetValue(_data), ct);
        var method = parse.GetValue(_method)?.ToUpperInvariant() ?? (body is null ? "GET" : "POST");
        var headers = (parse.GetValue(_headers) ?? []).Select(ParseHeader).ToList();

        using var client = _sites.Connect(parse);
        var response = await FunctionInvoker.InvokeAsync(_context, client, new FunctionInvocation(name, method, parse.GetValue(_path) ?? "", body, headers), ct);

        var writer = _context.Out.Profile.Out.Writer;
        if (parse.GetValue(_include))
        {
            writer.Write(response.Head());
        }

        writer.Write(response.BodyText);
        writer.Flush();
        if (!response.IsSuccess)
        {
            // The body (already printed) is the site's one-line reason; stderr gets the status, as the CLI's error line.
            throw new CliException($"function {name} answered {response.StatusCode} {response.Reason}".TrimEnd());
        }

        return ExitCodes.Success;
    }

    private async Task<byte[]?> ReadDataAsync(string? data, CancellationToken ct)
    {
        switch (data)
        {
            case null:
                return null;
            case "-":
                return Encoding.UTF8.GetBytes(await _context.In.ReadToEndAsync(ct));
            case ['@', .. var file]:
                var path = Path.GetFullPath(file, _context.CurrentDirectory);
                return File.Exists(path)
                    ? await File.ReadAllBytesAsync(path, ct)
                    : throw new CliException($"--data: file \"{file}\" not found (looked for {path})");
            default:
                return Encoding.UTF8.GetBytes(data);
        }
    }

    private static KeyValuePair<string, string> ParseHeader(string header)
    {
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            ? new(header[..colon].Trim(), header[(colon + 1)..].Trim())
            : throw new CliException($"-H: \"{header}\" is not a header like 'Name: value'");
    }
}
