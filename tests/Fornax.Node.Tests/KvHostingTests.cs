using Fornax.Kv.Engine;
using Fornax.Node.Hosting;
using Fornax.Node.Kv;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Tests;

public sealed class KvHostingTests
{
    [Fact]
    public async Task Site_HostsItsStore_UnderKv_AndKeepsItAcrossARestart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("fornax-test-").FullName;
        try
        {
            var options = new NodeOptions { DataDirectory = dataDirectory, Name = "solo", LogLevel = LogLevel.Warning, Durability = "always" };
            await using (var node = await SiteNode.StartAsync(options))
            {
                var store = node.Services.GetRequiredService<IKvStore>();
                await store.Execute(0, static (tx, _) =>
                {
                    tx.SetString("greeting"u8, "hello"u8, null, false);
                    return 0;
                }, out _).WaitAsync();
                Assert.Equal(KvDurability.Always, store.Stats.Durability);
                Assert.True(Directory.Exists(Path.Combine(dataDirectory, KvHostingExtensions.DirectoryName)));
            }

            await using (var node = await SiteNode.StartAsync(options))
            {
                var store = node.Services.GetRequiredService<IKvStore>();
                store.Execute(0, static (tx, _) => tx.TryGetString("greeting"u8, out var value) && value.SequenceEqual("hello"u8), out var found);
                Assert.True(found);
            }
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Site_RefusesAnUnknownDurability_NamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<Fornax.Core.Validation.ObjectValidationException>(() => TestSite.StartAsync(o => o with { Durability = "sometimes" }));
        Assert.Contains("durability: \"sometimes\" is not one of always, everysec, none", error.ToString());
    }
}
