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

    private static Process StartWriter(string directory, int count)
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
        var process = Process.Start(info)!;
        // Drain stderr so a chatty child can never block on a full pipe.
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }
}
