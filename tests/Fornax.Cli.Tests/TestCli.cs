using Fornax.Cli.Commands.Node;

namespace Fornax.Cli.Tests;

/// <summary>The outcome of one <c>fornax</c> run.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
}

/// <summary>Runs <c>fornax</c> in-process through <see cref="Program.RunAsync"/> with a temporary home and working folder.</summary>
public sealed class TestCli : IDisposable
{
    public TestCli()
    {
        Root = Directory.CreateTempSubdirectory("fornax-cli-tests-").FullName;
        Home = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName;
        WorkingDirectory = Directory.CreateDirectory(Path.Combine(Root, "work")).FullName;
    }

    public string Root { get; }

    public string Home { get; }

    public string WorkingDirectory { get; }

    public Dictionary<string, string> Environment { get; } = [];

    public TimeProvider Time { get; set; } = TimeProvider.System;

    public ISiteHost SiteHost { get; set; } = SiteHosts.Default;

    public string Stdin { get; set; } = "";

    public string ConfigPath => Path.Combine(Home, ".fornax", "config");

    /// <summary>Writes a file under the working folder and returns its path.</summary>
    public string WriteFile(string relativePath, string text)
    {
        var path = Path.Combine(WorkingDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, CancellationToken.None);

    public async Task<CliResult> RunAsync(string[] args, CancellationToken ct)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext
        {
            Out = CliContext.CreateConsole(stdout, redirected: true),
            Error = CliContext.CreateConsole(stderr, redirected: true),
            In = new StringReader(Stdin),
            GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
            HomeDirectory = Home,
            CurrentDirectory = WorkingDirectory,
            Time = Time,
            SiteHost = SiteHost,
        };
        var code = await Program.RunAsync(args, context, ct);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
