using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Fornax.Bench.Http;

/// <summary>One <c>wrk --latency</c> run and the figures read from its report.</summary>
internal sealed partial record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Non2xx, long SocketErrors, string Raw)
{
    public long Failed => Non2xx + SocketErrors;

    public static async Task<WrkResult> RunAsync(string url, int threads, int connections, TimeSpan duration, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { $"-t{threads}", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", url })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start wrk (apt-get install -y wrk)");
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        var error = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {error}");
        }

        return Parse(output);
    }

    public static WrkResult Parse(string output)
    {
        static double Number(Match m, int group = 1) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
        var rps = Number(RequestsPerSecondPattern().Match(output));
        var requests = (long)Number(RequestsPattern().Match(output));
        var non2xx = Non2xxPattern().Match(output) is { Success: true } n ? (long)Number(n) : 0;
        long socket = 0;
        if (SocketErrorsPattern().Match(output) is { Success: true } s)
        {
            socket = Enumerable.Range(1, 4).Sum(g => long.Parse(s.Groups[g].Value, CultureInfo.InvariantCulture));
        }

        return new WrkResult(rps, Percentile(output, "50%"), Percentile(output, "99%"), requests, non2xx, socket, output);
    }

    /// <summary>wrk prints latencies with a unit: 812.00us, 1.23ms, 2.01s.</summary>
    private static double Percentile(string output, string which)
    {
        var m = Regex.Match(output, $@"^\s*{Regex.Escape(which)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!m.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecondPattern();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xxPattern();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsPattern();
}
