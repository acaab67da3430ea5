using Fornax.Kv.Commands;
using Fornax.Kv.Engine;

namespace Fornax.Kv.Resp;

// MULTI/EXEC/DISCARD/WATCH. The queued commands run in ONE transaction at EXEC (atomic at the site, one write batch,
// one replication batch). As in Redis, a command refused at EXEC (e.g. WRONGTYPE) answers its error inside EXEC's
// array and the others still apply; a command refused while queuing (unknown, wrong arity) aborts the whole EXEC.
internal sealed partial class RespConnection
{
    private readonly ArgArena _queuedArgs = new();
    private readonly List<(int First, int Count)> _queue = [];
    private readonly List<WatchedKey> _watched = [];
    private bool _multiFailed;

    public bool InMulti { get; private set; }

    public int WatchedKeys => _watched.Count;

    /// <summary>The commands queued since MULTI (CLIENT LIST's <c>multi</c>).</summary>
    public int QueuedCommands => _queue.Count;

    public void BeginMulti()
    {
        InMulti = true;
        _multiFailed = false;
        _queue.Clear();
        _queuedArgs.Clear();
    }

    public void DiscardMulti()
    {
        InMulti = false;
        _queue.Clear();
        _queuedArgs.Clear();
        _watched.Clear();
    }

    public void Unwatch() => _watched.Clear();

    /// <summary>WATCH: remembers what the keys hold now; EXEC runs nothing if any of them changed since.</summary>
    public void Watch(RespArgs keys)
    {
        var watched = _watched;
        Track(Store.Execute(keys, (tx, k) =>
        {
            for (var i = 0; i < k.Count; i++)
            {
                watched.Add(new WatchedKey(k.Copy(i), tx.Version(k[i])));
            }

            return true;
        }, out _));
    }

    private void FlagMultiError()
    {
        if (InMulti)
        {
            _multiFailed = true;
        }
    }

    private void Enqueue(RespArgs args)
    {
        var first = _queuedArgs.Count;
        for (var i = 0; i < args.Count; i++)
        {
            _queuedArgs.Add(args[i]);
        }

        _queue.Add((first, args.Count));
    }

    /// <summary>EXEC: the queued commands in one transaction, their replies in one array.</summary>
    public void Exec()
    {
        if (_multiFailed)
        {
            DiscardMulti();
            Reply.Error("EXECABORT Transaction discarded because of previous errors.");
            return;
        }

        var mark = Reply.Mark;
        try
        {
            Track(Store.Execute(this, static (tx, client) => client.ExecQueued(tx), out _));
        }
        catch (KvException e)
        {
            Reply.Rewind(mark);
            Reply.Error(e.Message);
        }
        finally
        {
            DiscardMulti();
        }
    }

    private bool ExecQueued(IKvTransaction tx)
    {
        foreach (var watched in _watched)
        {
            if (tx.Version(watched.Key) != watched.Version)
            {
                Reply.NullArray();
                return false;
            }
        }

        Reply.Array(_queue.Count);
        foreach (var (first, count) in _queue)
        {
            var args = new RespArgs(_queuedArgs, first, count);
            var command = CommandTable.Find(args[0])!;
            var mark = Reply.Mark;
            var started = Server.Options.TimeProvider.GetTimestamp();
            if (command.Kv is { } kv)
            {
                RunInTransaction(tx, kv, args, command.IsRead);
            }
            else
            {
                // Connection commands queued in MULTI (PING, ECHO, SELECT...) never wait on anything.
                var pending = command.Session!(this, args);
                if (!pending.IsCompletedSuccessfully)
                {
                    throw new InvalidOperationException($"'{command.Name}' cannot run inside EXEC");
                }
            }

            // Each queued command counts as a call of its own in INFO commandstats, as in Redis; EXEC's time includes theirs.
            Server.CommandStats.Ran(command, args, Server.Options.TimeProvider.GetTimestamp() - started, Reply.IsErrorAt(mark));
        }

        return true;
    }

    private sealed record WatchedKey(byte[] Key, long Version);
}
