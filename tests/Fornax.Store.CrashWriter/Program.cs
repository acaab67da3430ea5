// Usage: Fornax.Store.CrashWriter <data-dir> <count>
// Creates ConfigMaps crash-0 .. crash-<count-1>, printing "ack <rv> <name>" once each write is
// acknowledged (its task completed). The test kills this process with SIGKILL mid-way and checks
// that every acknowledged object survived.
using System.Globalization;
using System.Text.Json.Nodes;
using Fornax.Store;

var directory = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
using var store = ObjectStore.Open(new ObjectStoreOptions { DataDirectory = directory });
Console.WriteLine("ready");
for (var i = 0; i < count; i++)
{
    var obj = new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = $"crash-{i}" },
        ["data"] = new JsonObject { ["i"] = i.ToString(CultureInfo.InvariantCulture) },
    };
    var stored = await store.CreateAsync(obj);
    Console.WriteLine($"ack {stored.ResourceVersion} {stored.Key.Name}");
}
Console.WriteLine("done");
