using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>What a command is, as COMMAND INFO tells clients (Redis 7's flags) and as the dispatcher needs.</summary>
[Flags]
internal enum CommandFlags
{
    None = 0,
    Write = 1,
    ReadOnly = 2,
    Fast = 4,
    Admin = 8,

    /// <summary>Runs before AUTH (AUTH, HELLO, QUIT).</summary>
    NoAuth = 16,

    /// <summary>Refused inside MULTI (Redis' no-multi: AUTH, HELLO, RESET...).</summary>
    NoMulti = 32,

    /// <summary>Controls MULTI itself (MULTI, EXEC, DISCARD, WATCH, QUIT): never queued.</summary>
    Transaction = 64,

    /// <summary>Runs on a RESP2 connection with subscriptions ((P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT, RESET).</summary>
    PubSubContext = 128,
}

/// <summary>A data command: runs inside one <see cref="IKvStore.Execute"/> and writes its reply.</summary>
internal delegate void KvCommandHandler(IKvTransaction tx, RespArgs args, RespConnection client);

/// <summary>A connection or server command: runs outside a transaction (it may start its own).</summary>
internal delegate ValueTask SessionCommandHandler(RespConnection client, RespArgs args);

/// <summary>
/// One command. <see cref="Arity"/> is Redis': positive means exactly that many arguments (name included), negative
/// at least that many. Key positions are Redis' legacy (first, last, step) triple.
/// </summary>
internal sealed record RespCommand(string Name, int Arity, CommandFlags Flags, int FirstKey, int LastKey, int Step, string Group, string Summary)
{
    public KvCommandHandler? Kv { get; init; }

    public SessionCommandHandler? Session { get; init; }

    /// <summary>The version of Redis that introduced it (COMMAND DOCS).</summary>
    public string Since { get; init; } = "1.0.0";

    /// <summary>A Redis command this store does not have (lists, sorted sets, streams...): known only to refuse it clearly.</summary>
    public bool IsUnsupported => Group == UnsupportedCommands.Group;

    public bool ArityMatches(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>A read command: the keys it looks up count as keyspace hits or misses (Redis' lookupKeyRead).</summary>
    public bool IsRead => (Flags & CommandFlags.ReadOnly) != 0;

    /// <summary>Subcommands counted apart in INFO commandstats (<c>config|get</c>, as Redis 7), lower case. A call naming
    /// none of them is not counted (Redis refuses an unknown subcommand before it looks the command up), so a client
    /// cannot add lines.</summary>
    public string[] Subcommands
    {
        get;
        init
        {
            field = value;
            _subcommandsUpper = [.. value.Select(s => System.Text.Encoding.ASCII.GetBytes(s.ToUpperInvariant()))];
        }
    } = [];

    private byte[][] _subcommandsUpper = [];

    /// <summary>This command's first slot in <see cref="Resp.CommandStats"/>; its subcommands take the slots after it. Set by <see cref="CommandTable"/>.</summary>
    public int StatsSlot { get; init; }

    /// <summary>The slot a call counts in: its subcommand's for a container; -1 (not counted) for an unknown subcommand.</summary>
    public int StatsSlotFor(RespArgs args)
    {
        if (_subcommandsUpper.Length == 0 || args.Count < 2)
        {
            return StatsSlot;
        }

        for (var i = 0; i < _subcommandsUpper.Length; i++)
        {
            if (args.Is(1, _subcommandsUpper[i]))
            {
                return StatsSlot + 1 + i;
            }
        }

        return -1;
    }
}
