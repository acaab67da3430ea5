using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Fornax.Bench.Portal;

/// <summary>Requests (or connections) per second, and what each cost this whole process (load generator, sites, backend): CPU time, bytes allocated, threads put to sleep and woken (<see cref="ProcessWaits"/>).</summary>
internal readonly record struct Rate(double PerSecond, double CpuMicrosPerRequest, double BytesAllocatedPerRequest, double WakeupsPerRequest);

/// <summary>The three measurements, each against one URL: latency one request at a time, throughput with many in flight, new connections per second.</summary>
internal static class Load
{
    /// <summary>
    /// Median and 99th percentile of <paramref name="count"/> sequential requests on one kept-alive connection, and the
    /// threads woken per request meanwhile (one request at a time: every hand-over is on the request's path).
    /// </summary>
    public static async Task<(double P50, double P99, double WakeupsPerRequest)> LatencyAsync(Uri url, int count)
    {
        using var client = new HttpClient();
        var samples = new double[count];
        var waits = ProcessWaits.Now();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var wakeups = (ProcessWaits.Now() - waits) / (double)count;
        Array.Sort(samples);
        return (samples[count / 2], samples[(int)(count * 0.99)], wakeups);
    }

    /// <summary>Requests per second with <paramref name="concurrency"/> kept-alive connections for <paramref name="duration"/>.</summary>
    public static async Task<Rate> ThroughputAsync(Uri url, int concurrency, TimeSpan duration)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency });
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long done = 0;
        var cpu = ProcessCpu.Now();
        var allocated = GC.GetTotalAllocatedBytes();
        var waits = ProcessWaits.Now();
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                using var response = await client.GetAsync(url);
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref done);
            }
        }));
        return new Rate(done / Stopwatch.GetElapsedTime(start).TotalSeconds, (ProcessCpu.Now() - cpu).TotalMicroseconds / done, (GC.GetTotalAllocatedBytes() - allocated) / (double)done, (ProcessWaits.Now() - waits) / (double)done);
    }

    /// <summary>
    /// New TCP connections per second: each request opens its own connection (<c>Connection: close</c>), sends one GET
    /// and reads the answer to the server's close, <paramref name="concurrency"/> at a time. Connection setup, not reuse.
    /// </summary>
    public static async Task<Rate> ConnectionsAsync(Uri url, int concurrency, TimeSpan duration)
    {
        var request = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nConnection: close\r\n\r\n");
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long done = 0;
        var cpu = ProcessCpu.Now();
        var allocated = GC.GetTotalAllocatedBytes();
        var waits = ProcessWaits.Now();
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var buffer = new byte[4096];
            while (Stopwatch.GetTimestamp() < until)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(url.Host, url.Port);
                await socket.SendAsync(request, SocketFlags.None);
                var head = 0;
                int read;
                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                {
                    head += read;
                }

                if (head < 12 || buffer[9] != (byte)'2')
                {
                    throw new InvalidOperationException($"{url}: not a 2xx answer: {Encoding.ASCII.GetString(buffer, 0, Math.Min(head, 200))}");
                }

                Interlocked.Increment(ref done);
            }
        }));
        return new Rate(done / Stopwatch.GetElapsedTime(start).TotalSeconds, (ProcessCpu.Now() - cpu).TotalMicroseconds / done, (GC.GetTotalAllocatedBytes() - allocated) / (double)done, (ProcessWaits.Now() - waits) / (double)done);
    }
}
