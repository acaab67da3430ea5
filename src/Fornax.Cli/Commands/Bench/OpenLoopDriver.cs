using System.Diagnostics;

namespace Fornax.Cli.Commands.Bench;

/// <summary>
/// Sends requests at a fixed rate whatever the answers do (an open loop: a burst of clients does not slow down because
/// the site is slow), and times each from when it was due, so a late send counts against the site, not in its favour.
/// </summary>
internal sealed class OpenLoopDriver(HttpClient client, TimeProvider time, double rate, int seed)
{
    /// <summary>
    /// Drives for <paramref name="warmUp"/> and then <paramref name="duration"/> more; only requests due after the warm-up
    /// count (by then the connections between the sites are open and the load figures describe this load).
    /// </summary>
    public async Task<PolicyResult> RunAsync(Func<bool, HttpRequestMessage> request, TimeSpan warmUp, TimeSpan duration, Action<TimeSpan> elapsed, CancellationToken ct)
    {
        var random = new Random(seed);
        var interval = TimeSpan.FromSeconds(1 / rate);
        var result = new PolicyResult();
        var inFlight = new List<Task>();
        var start = time.GetTimestamp();
        var counted = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        var sent = 0L;
        while (time.GetElapsedTime(start) is var now && now < warmUp + duration)
        {
            // Everything due by now goes out (a late wake-up catches up instead of lowering the rate).
            while (sent * interval <= now)
            {
                var due = start + (long)(sent * interval.TotalSeconds * Stopwatch.Frequency);
                inFlight.Add(SendAsync(request(random.Next(2) == 1), due, due >= counted ? result : null, ct));
                sent++;
            }

            elapsed(now);
            var next = sent * interval - time.GetElapsedTime(start);
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next, time, ct);
            }
        }

        elapsed(warmUp + duration);
        await Task.WhenAll(inFlight);
        result.Finish(time.GetElapsedTime(counted));
        return result;
    }

    private async Task SendAsync(HttpRequestMessage message, long due, PolicyResult? result, CancellationToken ct)
    {
        using (message)
        {
            try
            {
                using var response = await client.SendAsync(message, ct);
                await response.Content.LoadIntoBufferAsync(ct);
                var site = response.Headers.TryGetValues("Fornax-Site", out var values) ? values.First() : "(none)";
                result?.Add(response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode}", site, time.GetElapsedTime(due));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                result?.Add(e.GetType().Name, "(none)", time.GetElapsedTime(due));
            }
        }
    }
}
