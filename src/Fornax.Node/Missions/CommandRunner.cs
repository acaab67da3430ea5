using System.Diagnostics;
using System.Text;

namespace Fornax.Node.Missions;

/// <summary>The outcome of one shell command of a command mission.</summary>
public sealed record CommandResult(int ExitCode, string Output, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>One line for a mission state: <c>exited with 3: no such file</c>.</summary>
    public string Describe(TimeSpan timeout) =>
        TimedOut ? $"timed out after {Core.Validation.Durations.Format(timeout)}"
        : $"exited with {ExitCode}" + (Output.Length == 0 ? "" : $": {LastLine(Output)}");

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var last = lines.Length == 0 ? "" : lines[^1];
        return last.Length > 200 ? last[..200] + "…" : last;
    }
}

/// <summary>Runs a command mission's shell commands with <c>/bin/sh -c</c>, a timeout and a cap on output.</summary>
public sealed class CommandRunner(TimeProvider time)
{
    private const int MaxOutputChars = 16 * 1024;

    public async Task<CommandResult> RunAsync(string command, TimeSpan timeout, string workingDirectory, CancellationToken ct)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", command },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = Capture(process.StandardOutput, output);
        var stderr = Capture(process.StandardError, output);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
        try
        {
            await process.WaitForExitAsync(linked.Token);
            await Task.WhenAll(stdout, stderr);
            return new CommandResult(process.ExitCode, output.ToString(), TimedOut: false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            ct.ThrowIfCancellationRequested();
            return new CommandResult(-1, output.ToString(), TimedOut: true);
        }
    }

    private static async Task Capture(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                if (into.Length < MaxOutputChars)
                {
                    into.Append(buffer, 0, Math.Min(read, MaxOutputChars - into.Length));
                }
            }
        }
    }
}
