using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Fornax.Kv.Resp;

/// <summary>
/// INFO errorstats: the error replies sent, by their code (the first word: ERR, WRONGTYPE, NOAUTH...), and in all
/// (<c>total_error_replies</c>). As Redis, at most 128 codes are told apart; replies with a code beyond those count
/// only in the total, so a client cannot grow the table.
/// </summary>
internal sealed class ErrorStats
{
    public const int MaxCodes = 128;

    private readonly ConcurrentDictionary<string, StrongBox<long>> _byCode = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Count(ReadOnlySpan<char> message)
    {
        Interlocked.Increment(ref _total);
        var space = message.IndexOf(' ');
        var code = space < 0 ? message : message[..space];
        var byCode = _byCode.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!byCode.TryGetValue(code, out var count))
        {
            if (_byCode.Count >= MaxCodes)
            {
                return;
            }

            count = _byCode.GetOrAdd(code.ToString(), static _ => new StrongBox<long>());
        }

        Interlocked.Increment(ref count.Value);
    }

    /// <summary>The codes seen, in ordinal order (as Redis lists them).</summary>
    public List<(string Code, long Count)> Snapshot() =>
        [.. _byCode.Select(p => (p.Key, Interlocked.Read(ref p.Value.Value))).Where(p => p.Item2 > 0).OrderBy(p => p.Key, StringComparer.Ordinal)];

    /// <summary>CONFIG RESETSTAT.</summary>
    public void Reset()
    {
        _byCode.Clear();
        Interlocked.Exchange(ref _total, 0);
    }
}
