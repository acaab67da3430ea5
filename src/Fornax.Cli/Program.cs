using System.CommandLine;
using Fornax.Cli.Api;
using Fornax.Cli.Commands;
using Fornax.Cli.Commands.Config;
using Fornax.Cli.Commands.Demo;
using Fornax.Cli.Commands.Kube;
using Fornax.Cli.Commands.Node;
using Fornax.Cli.Commands.Tree;
using Fornax.Cli.Configuration;
using Fornax.Core.Selectors;
using Fornax.Core.Validation;
using Spectre.Console;

namespace Fornax.Cli;

/// <summary>The <c>fornax</c> entry point.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, CliContext.CreateDefault());

    /// <summary>Parses and runs one command line against a context; returns the exit code. Never throws for user errors.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = CreateRootCommand(context);
        // No response files: `@file` is curl's "body from a file" (fornax invoke --data @body.json), not more arguments.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            var command = parse.CommandResult.Command;
            var name = command == root ? "fornax" : $"fornax {string.Join(' ', CommandPath(command))}";
            ReportError(context, new CliException(
                OneLine(parse.Errors[0].Message),
                [.. parse.Errors.Skip(1).Select(e => OneLine(e.Message)), $"see '{name} --help'"],
                ExitCodes.Usage));
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Out.Profile.Out.Writer,
            Error = context.Error.Profile.Out.Writer,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = context.HandleTermination ? TimeSpan.FromSeconds(10) : null,
        };

        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (Exception e) when (Describe(e) is { } error)
        {
            ReportError(context, error);
            return error.ExitCode;
        }
    }

    internal static RootCommand CreateRootCommand(CliContext context)
    {
        var site = new Option<string>("--site")
        {
            Description = "The site to talk to: a URL (http://host:port) or a site name from the config file",
            Recursive = true,
        };
        var root = new RootCommand("fornax: run applications across a tree of edge sites");
        root.Options.Add(site);
        var sites = new SiteTargets(context, site);
        root.Subcommands.Add(new ApplyCommand(context, sites));
        root.Subcommands.Add(new DeleteCommand(context, sites));
        root.Subcommands.Add(new GetCommand(context, sites));
        root.Subcommands.Add(new DescribeCommand(context, sites));
        root.Subcommands.Add(new InvokeCommand(context, sites));
        root.Subcommands.Add(new ConfigCommand(context));
        root.Subcommands.Add(new NodeCommand(context));
        root.Subcommands.Add(new DemoCommand(context));
        root.Subcommands.Add(new Commands.Bench.BenchCommand(context));
        root.Subcommands.Add(new UpCommand(context, sites));
        root.Subcommands.Add(new DownCommand(context, sites));
        root.Subcommands.Add(new LinkCommand(context, sites));
        root.Subcommands.Add(new TokenCommand(context, sites));
        root.Subcommands.Add(new AttachCommand(context, sites));
        root.Subcommands.Add(new SiteCommand(context, sites));
        root.Subcommands.Add(new KubeconfigCommand(context));
        root.Subcommands.Add(new Commands.Portal.PortalCommand(context, sites));
        return root;
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Symbol? s = command; s is Command c && s is not RootCommand; s = c.Parents.FirstOrDefault())
        {
            names.Push(c.Name);
        }

        return names;
    }

    /// <summary>Turns the failures a user can cause into one line (and details); anything else is a bug and propagates.</summary>
    private static CliException? Describe(Exception e) => e switch
    {
        CliException cli => cli,
        SelectorSyntaxException selector => new CliException(selector.Message),
        ApiException api => new CliException(api.Message, api.Causes),
        ObjectValidationException invalid => FromValidation(invalid),
        OperationCanceledException => new CliException("cancelled", exitCode: 130),
        _ => null,
    };

    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static CliException FromValidation(ObjectValidationException invalid)
    {
        var lines = invalid.Message.Split('\n');
        return new CliException(lines[0].TrimEnd(), [.. lines.Skip(1).Select(l => l.Trim())]);
    }

    private static void ReportError(CliContext context, CliException error)
    {
        var writer = context.Error.Profile.Out.Writer;
        writer.WriteLine($"error: {error.Message}");
        foreach (var detail in error.Details)
        {
            writer.WriteLine($"  {detail}");
        }

        writer.Flush();
    }
}
