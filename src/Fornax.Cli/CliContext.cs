using Fornax.Cli.Api;
using Fornax.Cli.Configuration;
using Fornax.Cli.Commands.Node;
using Spectre.Console;

namespace Fornax.Cli;

/// <summary>
/// Everything a command touches outside itself: the terminal, the network, the environment and the clock.
/// Commands take it instead of reaching for <see cref="Console"/> or <see cref="Environment"/>, so tests run
/// them in-process with fakes.
/// </summary>
public sealed class CliContext
{
    /// <summary>Standard output: tables, narratives, and (through <see cref="WriteRaw"/>) JSON and YAML.</summary>
    public required IAnsiConsole Out { get; init; }

    /// <summary>Standard error: the <c>error:</c> line and hints.</summary>
    public required IAnsiConsole Error { get; init; }

    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Makes the client for one site (its URL, token and TLS files come from the config).</summary>
    public Func<SiteTarget, HttpClient> HttpClientFactory { get; init; } = SiteHttpClients.Create;

    public Func<string, string?> GetEnvironmentVariable { get; init; } = _ => null;

    public required string HomeDirectory { get; init; }

    public required string CurrentDirectory { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Starts a site in this process, for <c>node run</c> and <c>demo</c>.</summary>
    public ISiteHost SiteHost { get; init; } = SiteHosts.Default;

    /// <summary>
    /// The command line that starts this same <c>fornax</c> (for <c>fornax up</c>): the executable, plus the entry
    /// assembly when the executable is <c>dotnet</c>. Tests running the CLI in-process point it at <c>fornax.dll</c>.
    /// </summary>
    public IReadOnlyList<string> FornaxCommand { get; init; } = CurrentFornaxCommand();

    /// <summary>Cancel the running command on Ctrl-C or SIGTERM (the real process only; tests leave it off).</summary>
    public bool HandleTermination { get; init; }

    /// <summary>
    /// This command is the whole process (the real <c>fornax</c>, not a test running commands in-process): it may act on
    /// the process itself, e.g. give back the pages of the executable that only its start needed.
    /// </summary>
    public bool OwnsProcess { get; init; }

    /// <summary>Writes text as it is: no markup, no wrapping (JSON and YAML must survive copy and paste).</summary>
    public void WriteRaw(string text)
    {
        var writer = Out.Profile.Out.Writer;
        writer.Write(text);
        if (!text.EndsWith('\n'))
        {
            writer.Write('\n');
        }

        writer.Flush();
    }

    private static string[] CurrentFornaxCommand()
    {
        var executable = Environment.ProcessPath ?? "fornax";
        // Under `dotnet fornax.dll` the command is the host plus the entry assembly; a single-file build has no
        // assembly file (Assembly.Location is empty there), but then the process path is the whole command.
        return Path.GetFileNameWithoutExtension(executable) == "dotnet"
               && System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name is { } name
               && Path.Combine(AppContext.BaseDirectory, name + ".dll") is var entry && File.Exists(entry)
            ? [executable, entry]
            : [executable];
    }

    /// <summary>The context of the real process.</summary>
    public static CliContext CreateDefault()
    {
        return new CliContext
        {
            Out = CreateConsole(Console.Out, Console.IsOutputRedirected),
            Error = CreateConsole(Console.Error, Console.IsErrorRedirected),
            In = Console.In,
            GetEnvironmentVariable = Environment.GetEnvironmentVariable,
            HomeDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            CurrentDirectory = Environment.CurrentDirectory,
            HandleTermination = true,
            OwnsProcess = true,
        };
    }

    /// <summary>A console over a writer. Redirected output gets no colours and a wide line, so tables never wrap in pipes.</summary>
    public static IAnsiConsole CreateConsole(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            // 512 columns: wide enough for any kubectl-style row; a pipe has no width of its own.
            console.Profile.Width = 512;
        }

        return console;
    }
}
