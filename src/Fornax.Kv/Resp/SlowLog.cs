using System.Text;

namespace Fornax.Kv.Resp;

/// <summary>
/// SLOWLOG: the commands that ran longer than <c>slowlog-log-slower-than</c> microseconds (10,000 by default; 0 logs
/// every command, -1 none), the newest <c>slowlog-max-len</c> of them (128 by default). Each entry is bounded as in
/// Redis: at most 32 arguments and 128 bytes of each; AUTH's arguments and HELLO's credentials are never kept.
/// Both settings change with CONFIG SET and last until the site restarts.
/// </summary>
internal sealed class SlowLog(TimeProvider time)
{
    public const long DefaultSlowerThanMicros = 10_000;
    public const long DefaultMaxLength = 128;

    /// <summary>Above Redis' limit (which is none): an entry holds up to ~5 KB, so the log stays under ~50 MB.</summary>
    public const long MaxMaxLength = 10_000;

    private const int MaxArguments = 32;
    private const int MaxArgumentBytes = 128;
    private static readonly byte[] Redacted = "(redacted)"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly LinkedList<SlowLogEntry> _entries = [];
    private long _nextId;
    private long _slowerThanMicros = DefaultSlowerThanMicros;
    private long _slowerThanTicks = MicrosToTicks(DefaultSlowerThanMicros, time);
    private long _maxLength = DefaultMaxLength;

    public long SlowerThanMicros => Volatile.Read(ref _slowerThanMicros);

    public long MaxLength => Volatile.Read(ref _maxLength);

    public int Length
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public void Configure(long? slowerThanMicros, long? maxLength)
    {
        lock (_gate)
        {
            if (slowerThanMicros is { } micros)
            {
                Volatile.Write(ref _slowerThanMicros, micros);
                Volatile.Write(ref _slowerThanTicks, micros < 0 ? -1 : MicrosToTicks(micros, time));
            }

            if (maxLength is { } length)
            {
                Volatile.Write(ref _maxLength, length);
                Trim();
            }
        }
    }

    /// <summary>Whether a command that ran this long is logged (a comparison only: the hot path pays no more).</summary>
    public bool IsSlow(long elapsedTicks)
    {
        var threshold = Volatile.Read(ref _slowerThanTicks);
        return threshold >= 0 && elapsedTicks >= threshold;
    }

    public void Add(RespArgs args, long elapsedTicks, RespConnection client)
    {
        var entry = new SlowLogEntry(
            0,
            time.GetUtcNow().ToUnixTimeSeconds(),
            (long)(elapsedTicks * 1_000_000.0 / time.TimestampFrequency),
            Arguments(args),
            client.Remote?.ToString() ?? string.Empty,
            client.Name ?? string.Empty);
        lock (_gate)
        {
            _entries.AddFirst(entry with { Id = _nextId++ });
            Trim();
        }
    }

    /// <summary>The newest <paramref name="count"/> entries, newest first (all of them for a negative count).</summary>
    public List<SlowLogEntry> Newest(long count)
    {
        lock (_gate)
        {
            return [.. count < 0 ? _entries : _entries.Take((int)Math.Min(count, int.MaxValue))];
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    private void Trim()
    {
        while (_entries.Count > _maxLength)
        {
            _entries.RemoveLast();
        }
    }

    private static long MicrosToTicks(long micros, TimeProvider time) =>
        (long)Math.Min(micros * (double)time.TimestampFrequency / 1_000_000.0, long.MaxValue);

    /// <summary>Redis' shape: past 32 arguments the last says how many more there were; past 128 bytes an argument says how many more it had.</summary>
    private static byte[][] Arguments(RespArgs args)
    {
        var kept = Math.Min(args.Count, MaxArguments);
        var result = new byte[kept][];
        var secret = SecretArguments(args);
        for (var i = 0; i < kept; i++)
        {
            if (i == MaxArguments - 1 && args.Count > MaxArguments)
            {
                result[i] = Encoding.ASCII.GetBytes($"... ({args.Count - MaxArguments + 1} more arguments)");
            }
            else if (i >= secret.First && i < secret.First + secret.Count)
            {
                result[i] = Redacted;
            }
            else if (args[i].Length > MaxArgumentBytes)
            {
                result[i] = [.. args[i][..MaxArgumentBytes], .. Encoding.ASCII.GetBytes($"... ({args[i].Length - MaxArgumentBytes} more bytes)")];
            }
            else
            {
                result[i] = args.Copy(i);
            }
        }

        return result;
    }

    /// <summary>Arguments that carry a credential: all of AUTH's, and the two after HELLO's AUTH.</summary>
    private static (int First, int Count) SecretArguments(RespArgs args)
    {
        if (args.Is(0, "AUTH"u8))
        {
            return (1, args.Count - 1);
        }

        if (args.Is(0, "HELLO"u8))
        {
            for (var i = 1; i < args.Count; i++)
            {
                if (args.Is(i, "AUTH"u8))
                {
                    return (i + 1, 2);
                }
            }
        }

        return (0, 0);
    }
}

/// <summary>One SLOWLOG GET entry: id, when it ran (Unix seconds), for how long, its arguments, the client's address and name.</summary>
internal sealed record SlowLogEntry(long Id, long UnixSeconds, long Microseconds, byte[][] Arguments, string Client, string ClientName);
