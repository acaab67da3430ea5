using System.Net;
using Fornax.Kv.Commands;
using Fornax.Kv.Engine;

namespace Fornax.Kv.Resp;

/// <summary>
/// One client's state: protocol version, name, authentication, MULTI queue and WATCHed keys, and its reply buffer.
/// Commands run one at a time per connection, so nothing here is shared with other threads except what CLIENT LIST
/// reads (a torn read there is harmless).
/// </summary>
internal sealed partial class RespConnection
{
    public RespConnection(RespServer server, long id, EndPoint? remote, EndPoint? local, bool trusted)
    {
        Server = server;
        Id = id;
        Remote = remote;
        Local = local;
        Authenticated = trusted;
        Parser = new RespRequestParser(server.Options.MaxBulkBytes, server.Options.MaxArguments);
        Reply = new RespReplyWriter(server.ErrorStats);
        ConnectedAtMs = server.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        LastCommandAtMs = ConnectedAtMs;
    }

    public RespServer Server { get; }

    public long Id { get; }

    public EndPoint? Remote { get; }

    public EndPoint? Local { get; }

    public string? Name { get; set; }

    public string? LibraryName { get; set; }

    public string? LibraryVersion { get; set; }

    public bool Authenticated { get; set; }

    public RespRequestParser Parser { get; }

    public RespReplyWriter Reply { get; }

    /// <summary>Received bytes not parsed yet, on a socket connection (<see cref="RespServer.RunSocketAsync"/>).</summary>
    public RespReceiveBuffer Input { get; } = new();

    public long ConnectedAtMs { get; }

    public long LastCommandAtMs { get; private set; }

    /// <summary>The last command's name, lower case, for CLIENT LIST's <c>cmd=</c>.</summary>
    public string LastCommand { get; private set; } = "NULL";

    /// <summary>How the last dispatched command ended (INFO commandstats counts calls, rejections and nothing for a queued command).</summary>
    public DispatchOutcome LastOutcome { get; private set; }

    /// <summary>Set by QUIT: the connection closes once the replies so far are sent.</summary>
    public bool CloseAfterReply { get; set; }

    private Action? _abort;

    /// <summary>How another connection's CLIENT KILL ends this one (set by the loop that serves it).</summary>
    public void OnKill(Action abort) => _abort = abort;

    /// <summary>CLIENT KILL from another connection: the connection ends after the command it is running, if any.</summary>
    public void Kill()
    {
        CloseAfterReply = true;
        _abort?.Invoke();
    }

    /// <summary>The latest commit of this batch that was not yet durable: replies wait for it before they are sent.</summary>
    public KvCommit PendingCommit { get; private set; }

    public Random Random => Server.Options.Random;

    public IKvStore Store => Server.Store;

    /// <summary>Commands arrived (CLIENT LIST's idle): read once per batch of pipelined commands, as Redis reads its clock once per event-loop turn.</summary>
    public void NoteActivity(long nowUnixMs) => LastCommandAtMs = nowUnixMs;

    /// <summary>
    /// Answers a command refused before it ran. EXEC refused so ends the transaction, with Redis's words for it (its
    /// rejectCommand): "EXECABORT Transaction discarded because of: " and the reason without its "ERR " — outside a
    /// MULTI too, as redis-server answers.
    /// </summary>
    private void Reject(RespCommand command, string error)
    {
        if (command.Name == "exec")
        {
            DiscardMulti();
            Reply.Error("EXECABORT Transaction discarded because of: " + (error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error));
            return;
        }

        Reply.Error(error);
    }

    /// <summary>
    /// Runs one parsed command (<paramref name="command"/> is its entry in <see cref="CommandTable"/>, null when unknown)
    /// and writes its reply. A data command (<see cref="RespCommand.Kv"/>) always completes synchronously: refused,
    /// queued in a MULTI, or run as one transaction.
    /// </summary>
    public ValueTask DispatchAsync(RespCommand? command, RespArgs args)
    {
        LastOutcome = DispatchOutcome.Rejected;
        if (command is null)
        {
            FlagMultiError();
            Reply.Error(UnknownCommand(args));
            return ValueTask.CompletedTask;
        }

        LastCommand = command.Name;
        if (!Authenticated && (command.Flags & CommandFlags.NoAuth) == 0)
        {
            FlagMultiError();
            Reply.Error(RespErrors.NoAuth);
            return ValueTask.CompletedTask;
        }

        if (!command.ArityMatches(args.Count))
        {
            FlagMultiError();
            Reject(command, RespErrors.WrongArity(command.Name));
            return ValueTask.CompletedTask;
        }

        if (InSubscribeMode && (command.Flags & CommandFlags.PubSubContext) == 0)
        {
            Reject(command, $"ERR Can't execute '{command.Name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return ValueTask.CompletedTask;
        }

        if (InMulti && (command.Flags & CommandFlags.Transaction) == 0)
        {
            if ((command.Flags & CommandFlags.NoMulti) != 0)
            {
                FlagMultiError();
                Reply.Error("ERR Command not allowed inside a transaction");
                return ValueTask.CompletedTask;
            }

            Enqueue(args);
            Reply.Queued();
            LastOutcome = DispatchOutcome.Queued;
            return ValueTask.CompletedTask;
        }

        LastOutcome = DispatchOutcome.Ran;
        if (command.Kv is { } kv)
        {
            RunKv(kv, args, command.IsRead);
            return ValueTask.CompletedTask;
        }

        return command.Session!(this, args);
    }

    /// <summary>Runs a data command as one transaction; a refused command answers its error and changes nothing.</summary>
    public void RunKv(KvCommandHandler handler, RespArgs args, bool isRead)
    {
        var mark = Reply.Mark;
        try
        {
            var commit = Store.Execute(new KvCall(this, handler, args, isRead), static (tx, call) =>
            {
                call.Client.RunInTransaction(tx, call.Handler, call.Args, call.IsRead);
                return true;
            }, out _);
            Track(commit);
        }
        catch (KvException e)
        {
            Reply.Rewind(mark);
            Reply.Error(e.Message);
        }
    }

    /// <summary>Inside a transaction body: runs one command, turning a refusal into its error reply. The keys a read
    /// command looks up count as keyspace hits or misses.</summary>
    public void RunInTransaction(IKvTransaction tx, KvCommandHandler handler, RespArgs args, bool isRead)
    {
        tx.CountsReads = isRead;
        var mark = Reply.Mark;
        try
        {
            handler(tx, args, this);
        }
        catch (KvException e)
        {
            Reply.Rewind(mark);
            Reply.Error(e.Message);
        }
        finally
        {
            tx.CountsReads = false;
        }
    }

    public void Track(KvCommit commit)
    {
        if (!commit.IsCompleted)
        {
            PendingCommit = commit;
        }

        if (commit.Replicated.Version != 0)
        {
            foreach (var earlier in commit.EarlierReplicated ?? [])
            {
                KeepForWait(earlier);
            }

            KeepForWait(commit.Replicated);
        }
    }

    /// <summary>Keyspaces whose latest write a connection keeps for WAIT; past them the oldest kept is let go.</summary>
    public const int MaxWaitKeyspaces = 16;

    private List<KvReplicatedWrite>? _waitWrites;

    /// <summary>The connection's latest write in each keyspace it wrote that replication carries to other sites, oldest
    /// first (WAIT counts the neighbours holding all of them).</summary>
    public ReadOnlySpan<KvReplicatedWrite> WaitWrites => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_waitWrites);

    private void KeepForWait(KvReplicatedWrite write)
    {
        var writes = _waitWrites ??= new List<KvReplicatedWrite>(1);
        for (var i = writes.Count - 1; i >= 0; i--)
        {
            if (writes[i].InKeyspace(write.Keyspace))
            {
                if (i == writes.Count - 1)
                {
                    writes[i] = write; // the usual case: the same keyspace again
                    return;
                }

                writes.RemoveAt(i);
                break;
            }
        }

        if (writes.Count == MaxWaitKeyspaces)
        {
            writes.RemoveAt(0);
        }

        writes.Add(write);
    }

    /// <summary>A blocking command (WAIT) is waiting: CLIENT LIST's flag <c>b</c>, INFO's <c>blocked_clients</c>.</summary>
    public bool Blocked { get; private set; }

    /// <summary>The client's input ended while a command blocked: the connection closes once the replies so far are sent.</summary>
    public bool InputEnded { get; set; }

    /// <summary>Bytes arrived while a command blocked, not parsed yet (set by the socket loop's watch).</summary>
    public bool ReceivedWhileBlocked { private get; set; }

    /// <summary>Whether bytes arrived while a command blocked, since the last call.</summary>
    public bool TakeReceivedWhileBlocked()
    {
        var received = ReceivedWhileBlocked;
        ReceivedWhileBlocked = false;
        return received;
    }

    /// <summary>How the connection's loop waits while a command blocks (<see cref="BlockUntilAsync"/>); null: plainly.</summary>
    private Func<Task, ValueTask<bool>>? _whileBlocked;

    /// <summary>The socket loop's way to wait: it keeps reading the client meanwhile, so a client that goes is noticed.</summary>
    public void OnBlocked(Func<Task, ValueTask<bool>> whileBlocked) => _whileBlocked = whileBlocked;

    /// <summary>
    /// A blocking command waits for <paramref name="wake"/>. Returns false when the client's input ended meanwhile (it
    /// closed or ended its send side) or the port began to stop: the command answers with what it has at once.
    /// </summary>
    public async ValueTask<bool> BlockUntilAsync(Task wake)
    {
        Blocked = true;
        Server.BlockedChanged(+1);
        var since = Server.Options.TimeProvider.GetTimestamp();
        try
        {
            // The port stopping ends the wait whatever the loop is doing (its watch may have stopped reading a client
            // that filled the receive buffer): a graceful stop must not wait for a WAIT with no timeout.
            var stopping = Server.Stopping;
            var either = Task.WhenAny(wake, stopping);
            var inputOpen = true;
            if (_whileBlocked is { } whileBlocked)
            {
                inputOpen = await whileBlocked(either);
            }
            else
            {
                await either;
            }

            return inputOpen && !stopping.IsCompleted;
        }
        finally
        {
            Blocked = false;
            Server.BlockedChanged(-1);
            _blockedTicks += Server.Options.TimeProvider.GetTimestamp() - since;
        }
    }

    private long _blockedTicks;

    /// <summary>How long the command that just ran was blocked (timestamp ticks), which its measured time leaves out: as in
    /// Redis 7, SLOWLOG and INFO commandstats show what a blocking command cost the site, not how long it waited.</summary>
    public long TakeBlockedTicks()
    {
        var ticks = _blockedTicks;
        _blockedTicks = 0;
        return ticks;
    }

    /// <summary>Waits until every write of the batch is durable (a pipeline pays one group commit), then forgets it.</summary>
    public ValueTask WaitForCommitAsync()
    {
        var commit = PendingCommit;
        PendingCommit = default;
        return commit.WaitAsync();
    }

    /// <summary>Redis 7's text, quirks included: up to 128 bytes of the arguments, each quoted and followed by a space.</summary>
    private static string UnknownCommand(RespArgs args)
    {
        var text = new System.Text.StringBuilder();
        for (var i = 1; i < args.Count && text.Length < 128; i++)
        {
            var arg = args.String(i);
            text.Append('\'').Append(arg.AsSpan(0, Math.Min(arg.Length, 128 - text.Length))).Append("' ");
        }

        var name = args.String(0);
        return $"ERR unknown command '{(name.Length > 128 ? name[..128] : name)}', with args beginning with: {text}";
    }

    private readonly record struct KvCall(RespConnection Client, KvCommandHandler Handler, RespArgs Args, bool IsRead);
}

/// <summary>What <see cref="RespConnection.DispatchAsync"/> did with a command.</summary>
internal enum DispatchOutcome
{
    /// <summary>Refused before it ran: unknown, NOAUTH, wrong arity, not allowed in MULTI.</summary>
    Rejected,

    /// <summary>Queued in a MULTI: it runs (and counts) at EXEC.</summary>
    Queued,

    /// <summary>Ran (its reply may be an error: it failed).</summary>
    Ran,
}
