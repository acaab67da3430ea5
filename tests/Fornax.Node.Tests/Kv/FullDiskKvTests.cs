using Fornax.Testing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Fornax.Node.Tests.Kv;

/// <summary>
/// The KV store on a full disk (a real 16 MiB tmpfs filled to the last block): the site starts, the keys written before
/// are read, writes answer READONLY and change nothing, and writes resume once the disk has room, without a restart.
/// </summary>
/// <remarks>Fails on a store that opens RocksDB read-write only: the start dies on "No space left on device" (RocksDB
/// writes a new MANIFEST at every open).</remarks>
public sealed class FullDiskKvTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Start_OnAFullDisk_ServesKeys_RefusesWritesReadOnly_AndTakesWritesWhenSpaceReturns()
    {
        using var disk = SmallDisk.TryMount(output.WriteLine);
        if (disk is null)
        {
            return;
        }

        await using (var first = await StartAsync(disk))
        {
            await using var redis = await first.ConnectAsync();
            Assert.True(await redis.GetDatabase().StringSetAsync("kept", "hello"));
        }

        disk.Fill();
        await using var site = await StartAsync(disk);
        await using (var redis = await site.ConnectAsync())
        {
            var db = redis.GetDatabase();
            Assert.Equal("hello", (string?)await db.StringGetAsync("kept"));
            var refused = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("new", "x"));
            Assert.StartsWith("READONLY", refused.Message, StringComparison.Ordinal);
            Assert.False(await db.KeyExistsAsync("new"));
            Assert.Equal("hello", (string?)await db.StringGetAsync("kept"));

            disk.Free();
            await Poll.UntilAsync(
                async () =>
                {
                    try
                    {
                        return await db.StringSetAsync("new", "x");
                    }
                    catch (RedisServerException e) when (e.Message.StartsWith("READONLY", StringComparison.Ordinal))
                    {
                        return false;
                    }
                },
                "the KV store to take writes again");
            Assert.Equal("x", (string?)await db.StringGetAsync("new"));
        }
    }

    private static async Task<RespSite> StartAsync(SmallDisk disk) =>
        new(await TestSite.StartAsync(o => o with { StorageCheckInterval = TimeSpan.FromMilliseconds(50), LogLevel = LogLevel.Information }, disk.DataDirectory, keepDataDirectory: true));
}
