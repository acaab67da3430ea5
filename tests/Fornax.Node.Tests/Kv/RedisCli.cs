using System.Diagnostics;

namespace Fornax.Node.Tests.Kv;

/// <summary>Runs Debian's redis-cli (redis-tools; .ci/setup/40-redis.sh installs it) against a port.</summary>
internal static class RedisCli
{
    /// <summary>Runs one command; returns what redis-cli printed. A password goes in REDISCLI_AUTH, never on the command line.</summary>
    public static async Task<string> RunAsync(int port, string? password, params string[] args)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (password is not null)
        {
            start.Environment["REDISCLI_AUTH"] = password;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (await output + await error).TrimEnd('\n');
    }
}
