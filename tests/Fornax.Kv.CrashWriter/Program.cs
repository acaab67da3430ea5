// Usage: Fornax.Kv.CrashWriter <data-dir> <always|everysec|none> <count>
// Each step i is one transaction: SET crash-<i> <i>, INCR counter, SADD members <i>, HSET hash f<i> <i>. Once its
// commit completes (the reply could be sent) it prints "ack <i>". The test kills this process with SIGKILL mid-way and
// checks what survived. After the last it prints "done" and waits to be killed.
using System.Globalization;
using System.Text;
using Fornax.Kv.Engine;

var directory = args[0];
var durability = KvStoreOptions.ParseDurability(args[1]);
var count = int.Parse(args[2], CultureInfo.InvariantCulture);
var store = KvStore.Open(new KvStoreOptions { DataDirectory = directory, SiteId = "crash-site", Durability = durability });
Console.WriteLine("ready");
for (var i = 0; i < count; i++)
{
    var commit = store.Execute(i, static (tx, i) =>
    {
        var text = Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture));
        tx.SetString(Encoding.ASCII.GetBytes($"crash-{i}"), text, null, false);
        tx.IncrementBy("counter"u8, 1);
        tx.SetAdd("members"u8, text);
        tx.HashSet("hash"u8, Encoding.ASCII.GetBytes($"f{i}"), text);
        return 0;
    }, out _);
    await commit.WaitAsync();
    Console.WriteLine($"ack {i}");
}

Console.WriteLine("done");
await Task.Delay(Timeout.Infinite);
