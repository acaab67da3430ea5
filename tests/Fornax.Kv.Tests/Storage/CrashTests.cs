using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Fornax.Kv.Engine;
using Fornax.Kv.Tests.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Storage;

/// <summary>
/// kill -9 of a writing process (Fornax.Kv.CrashWriter, a real child killed with SIGKILL), then a restart: what the
/// durability policy promised is there, and every transaction is there whole or not at all.
/// </summary>
[Trait("Category", "Slow")]
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kill9_UnderAlways_EveryAcknowledgedWriteSurvives()
    {
        var (acked, _) = await WriteAndKill("always", acksBeforeKill: 300, TimeSpan.Zero);
        var survived = await Survivors();
        output.WriteLine($"always: {acked} acknowledged, {survived} survived");
        Assert.True(survived >= acked, $"{acked} writes were acknowledged, {survived} survived");
    }

    [Fact]
    public async Task Kill9_UnderEverysec_LosesAtMostTheLastSecond()
    {
        // Writes for two seconds, so some were acknowledged more than a second before the kill.
        var (acked, ackedBeforeLastSecond) = await WriteAndKill("everysec", acksBeforeKill: 100, TimeSpan.FromSeconds(2));
        var survived = await Survivors();
        output.WriteLine($"everysec: {acked} acknowledged ({ackedBeforeLastSecond} over a second before the kill), {survived} survived");
        Assert.True(survived >= ackedBeforeLastSecond, $"{ackedBeforeLastSecond} writes acknowledged over a second before the kill, {survived} survived");
        Assert.True(ackedBeforeLastSecond > 0);
    }

    /// <summary>Reopens the store; checks every transaction is whole (counter = keys = members = fields) and a prefix; returns how many.</summary>
    private async Task<int> Survivors()
    {
        await using var store = KvStore.Open(new KvStoreOptions { DataDirectory = _dir.Path, SiteId = "crash-site" });
        var keys = 0;
        while (store.Get($"crash-{keys}") is { } value)
        {
            Assert.Equal(keys.ToString(CultureInfo.InvariantCulture), value);
            keys++;
        }

        Assert.Null(store.Get($"crash-{keys + 1}")); // no holes: transactions reach the disk in commit order
        Assert.Equal(keys, int.Parse(store.Get("counter") ?? "0", CultureInfo.InvariantCulture));
        Assert.Equal(keys, store.Members("members").Length);
        Assert.Equal(keys, store.Entries("hash").Length);

        // The store works after the crash.
        store.Set("after", "crash");
        Assert.Equal("crash", store.Get("after"));
        return keys;
    }

    private async Task<(int Acked, int AckedBeforeLastSecond)> WriteAndKill(string durability, int acksBeforeKill, TimeSpan writeFor)
    {
        var ackTimes = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        TimeSpan killedAt;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var child = StartWriter(durability);
        try
        {
            Assert.Equal("ready", await child.StandardOutput.ReadLineAsync(cts.Token));
            while (ackTimes.Count < acksBeforeKill || ackTimes[^1] - ackTimes[0] < writeFor)
            {
                var line = await child.StandardOutput.ReadLineAsync(cts.Token);
                Assert.NotNull(line);
                Assert.Equal($"ack {ackTimes.Count}", line);
                ackTimes.Add(clock.Elapsed);
            }
        }
        finally
        {
            killedAt = clock.Elapsed;
            child.Kill(entireProcessTree: true); // SIGKILL: no flush, no dispose
            await child.WaitForExitAsync(cts.Token);
        }

        return (ackTimes.Count, ackTimes.Count(t => t < killedAt - TimeSpan.FromSeconds(1)));
    }

    private Process StartWriter(string durability)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Fornax.Kv.CrashWriter.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(writer);
        info.ArgumentList.Add(_dir.Path);
        info.ArgumentList.Add(durability);
        info.ArgumentList.Add("1000000");
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }
}
