// Usage: Fornax.Store.CrashWriter <data-dir> <count> [durable|relaxed]
// Writes ConfigMaps crash-0 .. crash-<count-1>, printing "ack <rv> <name> <synced commits>" once each write is
// acknowledged (its task completed). The test kills this process with SIGKILL mid-way and checks that every
// acknowledged object survived.
// durable (the default): each is a durable create; the process exits after the last.
// relaxed: first one durable create, "base", then "wal <bytes>" (the write-ahead log's size once it is on disk); then
// each ConfigMap is a relaxed apply. After the last it prints "done" and waits to be killed (a clean close would
// checkpoint the log away).
using System.Globalization;
using System.Text.Json.Nodes;
using Fornax.Store;

var directory = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var relaxed = args.Length > 2 && args[2] == "relaxed";
using var store = ObjectStore.Open(new ObjectStoreOptions { DataDirectory = directory });
Console.WriteLine("ready");
if (relaxed)
{
    await store.CreateAsync(ConfigMap("base", -1));
    Console.WriteLine($"wal {new FileInfo(Path.Combine(directory, "objects.db-wal")).Length}");
}

for (var i = 0; i < count; i++)
{
    var stored = relaxed
        ? (await store.ApplyAsync(ConfigMap($"crash-{i}", i), WriteDurability.Relaxed)).Object
        : await store.CreateAsync(ConfigMap($"crash-{i}", i));
    Console.WriteLine($"ack {stored.ResourceVersion} {stored.Key.Name} {store.CommitCounts.SyncedCommits}");
}

Console.WriteLine("done");
if (relaxed)
{
    await Task.Delay(Timeout.Infinite);
}

static JsonObject ConfigMap(string name, int i) => new()
{
    ["apiVersion"] = "v1",
    ["kind"] = "ConfigMap",
    ["metadata"] = new JsonObject { ["name"] = name },
    ["data"] = new JsonObject { ["i"] = i.ToString(CultureInfo.InvariantCulture) },
};
