using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Fornax.Cli.Commands.Tree;

/// <summary>
/// Starts site processes detached from the terminal (own session, output to a log file, stdin from /dev/null), so
/// they outlive <c>fornax up</c>; tells whether a recorded pid is still that process; stops them.
/// </summary>
internal static class SiteProcesses
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>
    /// Starts <paramref name="command"/> detached: on Unix through <c>/bin/sh</c>, which replaces itself
    /// (<c>exec</c>, same pid) with <c>setsid</c> (when installed, so a closed terminal or Ctrl-C does not reach
    /// the site) and that with the site, its output appended to <paramref name="logFile"/>.
    /// </summary>
    public static Process StartDetached(IReadOnlyList<string> command, string logFile, string workingDirectory)
    {
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            start = new ProcessStartInfo(command[0]) { CreateNoWindow = true };
            foreach (var arg in command.Skip(1))
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            const string Script = """
                if command -v setsid >/dev/null 2>&1; then exec setsid "$0" "$@" </dev/null >>"$FORNAX_NODE_LOG" 2>&1; fi
                exec "$0" "$@" </dev/null >>"$FORNAX_NODE_LOG" 2>&1
                """;
            start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", Script } };
            foreach (var arg in command)
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["FORNAX_NODE_LOG"] = logFile;
        }

        start.UseShellExecute = false;
        start.WorkingDirectory = workingDirectory;
        return Process.Start(start) ?? throw new CliException($"could not start {command[0]}");
    }

    /// <summary>When the process started, or null when there is no such (living) process.</summary>
    public static DateTimeOffset? StartTime(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>True while <paramref name="pid"/> runs and is the process that started at <paramref name="startedAt"/> (not a recycled pid, not a zombie).</summary>
    public static bool IsRunning(int pid, DateTimeOffset? startedAt)
    {
        if (pid <= 0 || IsZombie(pid))
        {
            return false;
        }

        var started = StartTime(pid);
        return started is not null && (startedAt is null || (started.Value - startedAt.Value).Duration() < TimeSpan.FromSeconds(2));
    }

    private static bool IsZombie(int pid)
    {
        var stat = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat";
        try
        {
            // "pid (comm) S ...": the state follows the last ')'.
            var text = File.ReadAllText(stat);
            var close = text.LastIndexOf(')');
            return close > 0 && close + 2 < text.Length && text[close + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Asks a process to stop (SIGTERM: the site flushes and closes cleanly).</summary>
    public static void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            Kill(pid);
            return;
        }

        _ = SendSignal(pid, SigTerm);
    }

    /// <summary>Stops a process now (SIGKILL).</summary>
    public static void Kill(int pid)
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = SendSignal(pid, SigKill);
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Waits until the process is gone or the deadline passes; true when it is gone.</summary>
    public static async Task<bool> WaitGoneAsync(int pid, DateTimeOffset? startedAt, TimeSpan deadline, TimeProvider time, CancellationToken ct)
    {
        var until = time.GetUtcNow() + deadline;
        while (IsRunning(pid, startedAt))
        {
            if (time.GetUtcNow() >= until)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }

        return true;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in the whole CLI for one call.
    private static extern int SendSignal(int pid, int signal);
#pragma warning restore SYSLIB1054
}
