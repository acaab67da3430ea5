using System.Diagnostics;

namespace Fornax.Cli.Tests.Release;

/// <summary>
/// The release build's own CLI, run as a process (natively, or the linux-arm64 build under qemu-aarch64): under Native AOT
/// a type serialized without a source-generated JSON or YAML context fails only at run time, so the release tests call the
/// shipped executable's client commands, not the in-process CLI the other tests use.
/// </summary>
internal static class ReleaseCli
{
    // A bound, not a timing check: one client command of the arm64 build under emulation on a loaded two-core machine.
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <summary>
    /// <c>fornax get missions -o FORMAT</c> in every output format, each listing <paramref name="mission"/>, and
    /// <c>fornax describe mission</c>; the client config goes to a folder of its own (FORNAX_CONFIG), not the user's.
    /// </summary>
    public static async Task ListsMissionInEveryFormatAsync(string executable, bool emulated, string api, string mission, string configFolder)
    {
        foreach (var format in (string[])["json", "yaml", "wide", "table", "name"])
        {
            var get = await RunAsync(executable, emulated, configFolder, "get", "missions", "--site", api, "-o", format);
            Assert.True(get.ExitCode == 0, $"fornax get missions -o {format} exited {get.ExitCode}:\n{get.Stderr}");
            Assert.Contains(mission, get.Stdout, StringComparison.Ordinal);
        }

        var describe = await RunAsync(executable, emulated, configFolder, "describe", "mission", mission, "--site", api);
        Assert.True(describe.ExitCode == 0, $"fornax describe mission exited {describe.ExitCode}:\n{describe.Stderr}");
        Assert.Contains(mission, describe.Stdout, StringComparison.Ordinal);
    }

    private static async Task<CliResult> RunAsync(string executable, bool emulated, string configFolder, params string[] arguments)
    {
        var start = new ProcessStartInfo(emulated ? SiteProcess.Qemu() : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (emulated)
        {
            start.ArgumentList.Add(executable);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["FORNAX_CONFIG"] = Path.Combine(configFolder, "config");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fornax {string.Join(' ', arguments)} did not exit within {Deadline.TotalSeconds} s");
        }

        return new CliResult(process.ExitCode, await output, await errors);
    }
}
