using System.Text;

namespace Fornax.Kv.Engine;

/// <summary>Per keyspace figures: keys and bytes from the key table, the backlog from the replicator's log.</summary>
internal sealed partial class KvEngine
{
    public IReadOnlyList<KvKeyspaceStats> KeyspaceFigures(IReadOnlyList<string> prefixes)
    {
        var encoded = prefixes.Select(Encoding.UTF8.GetBytes).ToArray();
        var keys = new long[encoded.Length];
        var bytes = new long[encoded.Length];
        lock (_gate)
        {
            var now = NowUnixMs();
            foreach (var state in _table.All())
            {
                for (var i = 0; i < encoded.Length; i++)
                {
                    if (state.Key.AsSpan().StartsWith(encoded[i]) && state.IsLive(now))
                    {
                        keys[i]++;
                        bytes[i] += state.ApproximateBytes();
                    }
                }
            }

            var backlog = _replication?.Backlog(encoded, now);
            return [.. prefixes.Select((prefix, i) => new KvKeyspaceStats(
                prefix,
                _replication?.Carries(encoded[i]) == true,
                keys[i],
                bytes[i],
                backlog?[i].Pending ?? 0,
                TimeSpan.FromMilliseconds(backlog?[i].LagMs ?? 0)))];
        }
    }
}
