using System.Diagnostics;

namespace Fornax.Store.Tests;

/// <summary>
/// kill -9 of a writing process: every write it acknowledged must be there after reopening.
/// The writer is a real child process (Fornax.Store.CrashWriter), killed with SIGKILL.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ObjectStoreCrashTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kill9_WhileWriting_EveryAcknowledgedWriteSurvives()
    {
        const int acksBeforeKill = 200;
        var acked = new List<(long Rv, string Name)>();
        using var cts = new CancellationTokenSource(s_deadline);
        using (var child = StartWriter(_dir.Path, count: 1_000_000))
        {
            try
            {
                Assert.Equal("ready", await child.StandardOutput.ReadLineAsync(cts.Token));

                // While the child holds the directory, this process cannot open it.
                var locked = Assert.Throws<StoreException>(() => TestObjects.Open(_dir.Path));
                Assert.Equal(StoreErrorReason.Locked, locked.Reason);

                while (acked.Count < acksBeforeKill)
                {
                    var line = await child.StandardOutput.ReadLineAsync(cts.Token);
                    Assert.NotNull(line);
                    var parts = line.Split(' ');
                    acked.Add((long.Parse(parts[1]), parts[2]));
                }
            }
            finally
            {
                child.Kill(entireProcessTree: true); // SIGKILL on Unix: no flush, no dispose
                await child.WaitForExitAsync(cts.Token);
            }
        }

        using var store = TestObjects.Open(_dir.Path);
        Assert.True(store.ResourceVersion >= acked[^1].Rv);
        foreach (var (rv, name) in acked)
        {
            var stored = await store.GetAsync(new ObjectKey("ConfigMap", "default", name));
            Assert.NotNull(stored);
            Assert.Equal(rv, stored.ResourceVersion);
        }
        // The store is usable after the crash and continues the version sequence.
        var next = await store.CreateAsync(TestObjects.Mission("after-crash"));
        Assert.Equal(store.ResourceVersion, next.ResourceVersion);
        Assert.True(next.ResourceVersion > acked[^1].Rv);
    }

    [Fact]
    public async Task Kill9_WhileWritingRelaxed_EveryAcknowledgedWriteSurvivesWithoutFsync()
    {
        const int acksBeforeKill = 200;
        var acked = new List<(long Rv, string Name, long Synced)>();
        using var cts = new CancellationTokenSource(s_deadline);
        using (var child = StartWriter(_dir.Path, count: 1_000_000, mode: "relaxed"))
        {
            try
            {
                Assert.Equal("ready", await child.StandardOutput.ReadLineAsync(cts.Token));
                Assert.StartsWith("wal ", await child.StandardOutput.ReadLineAsync(cts.Token));
                while (acked.Count < acksBeforeKill)
                {
                    var line = await child.StandardOutput.ReadLineAsync(cts.Token);
                    Assert.NotNull(line);
                    var parts = line.Split(' ');
                    acked.Add((long.Parse(parts[1]), parts[2], long.Parse(parts[3])));
                }
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(cts.Token);
            }
        }

        // Only the durable "base" create fsynced before these acknowledgements: the relaxed writes were not synced.
        Assert.All(acked, a => Assert.Equal(1, a.Synced));
        using var store = TestObjects.Open(_dir.Path);
        Assert.True(store.ResourceVersion >= acked[^1].Rv);
        foreach (var (rv, name, _) in acked)
        {
            var stored = await store.GetAsync(new ObjectKey("ConfigMap", "default", name));
            Assert.NotNull(stored);
            Assert.Equal(rv, stored.ResourceVersion);
        }
    }

    /// <summary>
    /// An OS crash or power cut loses what was only in the page cache: the log's tail after its last fsync. Simulated by
    /// killing the writer and cutting the log back to its size after the last durable commit. The relaxed writes are gone,
    /// and the store must not hand their versions out again: a watcher or a child may have seen them.
    /// </summary>
    [Fact]
    public async Task LostRelaxedWrites_AfterOsCrash_VersionsAreNeverReused()
    {
        const int relaxedWrites = 20;
        long walAfterDurable;
        var acked = new List<long>();
        using var cts = new CancellationTokenSource(s_deadline);
        using (var child = StartWriter(_dir.Path, count: relaxedWrites, mode: "relaxed"))
        {
            try
            {
                Assert.Equal("ready", await child.StandardOutput.ReadLineAsync(cts.Token));
                walAfterDurable = long.Parse((await child.StandardOutput.ReadLineAsync(cts.Token))!.Split(' ')[1]);
                for (var line = await child.StandardOutput.ReadLineAsync(cts.Token); line != "done"; line = await child.StandardOutput.ReadLineAsync(cts.Token))
                {
                    Assert.NotNull(line);
                    acked.Add(long.Parse(line.Split(' ')[1]));
                }
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(cts.Token);
            }
        }

        var wal = Path.Combine(_dir.Path, "objects.db-wal");
        Assert.True(new FileInfo(wal).Length > walAfterDurable, "the relaxed writes should have grown the log");
        using (var log = new FileStream(wal, FileMode.Open, FileAccess.Write))
            log.SetLength(walAfterDurable);
        File.Delete(Path.Combine(_dir.Path, "objects.db-shm"));

        using var store = TestObjects.Open(_dir.Path);
        Assert.NotNull(await store.GetAsync(new ObjectKey("ConfigMap", "default", "base")));
        Assert.Null(await store.GetAsync(new ObjectKey("ConfigMap", "default", "crash-0")));
        Assert.Equal(relaxedWrites, acked.Count);
        Assert.True(store.ResourceVersion >= acked.Max(), $"resourceVersion {store.ResourceVersion} went back below {acked.Max()}");
        var next = await store.CreateAsync(TestObjects.Mission("after-crash"));
        Assert.True(next.ResourceVersion > acked.Max());
        // The list a re-listing watcher starts from agrees with the writer.
        Assert.Equal(next.ResourceVersion, (await store.ListAsync(null, null)).ResourceVersion);
    }

    private static Process StartWriter(string directory, int count, string mode = "durable")
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Fornax.Store.CrashWriter.dll");
        // The dotnet CLI tells child processes where the host is; fall back to PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(writer);
        info.ArgumentList.Add(directory);
        info.ArgumentList.Add(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(mode);
        var process = Process.Start(info)!;
        // Drain stderr so a chatty child can never block on a full pipe.
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }
}
