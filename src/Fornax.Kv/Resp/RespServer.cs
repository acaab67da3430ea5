using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using Fornax.Kv.Commands;
using Fornax.Kv.Engine;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Fornax.Kv.Resp;

/// <summary>
/// The connection loop: read what has arrived, run every whole command in it (pipelining), wait once for the batch's
/// last commit to be durable, then send all replies in one flush. A protocol error answers Redis' text and closes.
/// A site's sockets are served by <see cref="RespListener"/> (RespServer.Socket.cs); this loop serves any duplex pipe.
/// </summary>
internal sealed partial class RespServer(RespServerOptions options, IKvStore store, IRespAuthenticator authenticator, ILogger logger) : IRespServer
{
    private readonly ConcurrentDictionary<long, RespConnection> _clients = new();
    private long _nextId;
    private long _totalConnections;
    private long _totalCommands;

    public RespServerOptions Options => options;

    public IKvStore Store => store;

    public IRespAuthenticator Authenticator => authenticator;

    public ILogger Logger => logger;

    public long StartedAtMs { get; } = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public int ConnectedClients => _clients.Count;

    private int _blockedClients;

    /// <summary>Connections waiting in a blocking command (INFO clients' blocked_clients).</summary>
    public int BlockedClients => Volatile.Read(ref _blockedClients);

    public void BlockedChanged(int by) => Interlocked.Add(ref _blockedClients, by);

    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the port begins to stop: every blocking command answers then with what it has.</summary>
    public Task Stopping => _stopping.Task;

    /// <summary>The port stops (<see cref="RespListener.StopAsync"/>): blocked commands end.</summary>
    public void BeginStopping() => _stopping.TrySetResult();

    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    public long TotalCommands => Interlocked.Read(ref _totalCommands);

    public ICollection<RespConnection> Clients => _clients.Values;

    public CommandStats CommandStats { get; } = new(options.TimeProvider);

    public ErrorStats ErrorStats { get; } = new();

    public SlowLog SlowLog { get; } = new(options.TimeProvider);

    public PubSubHub PubSub { get; } = new();

    private long _netInputBytes;
    private long _netOutputBytes;
    private (long Hits, long Misses, long Expired) _resetAt;

    /// <summary>Bytes read from and written to clients since the start or CONFIG RESETSTAT (INFO stats' total_net_*_bytes).</summary>
    public long NetInputBytes => Interlocked.Read(ref _netInputBytes);

    public long NetOutputBytes => Interlocked.Read(ref _netOutputBytes);

    public void CountNet(long input, long output)
    {
        if (input != 0)
        {
            Interlocked.Add(ref _netInputBytes, input);
        }

        if (output != 0)
        {
            Interlocked.Add(ref _netOutputBytes, output);
        }
    }

    /// <summary>The store's read and expiry counts as INFO shows them: since the start, or since CONFIG RESETSTAT.</summary>
    public (long Hits, long Misses, long Expired) KeyspaceFigures(Engine.KvStoreStats stats) =>
        (stats.KeyspaceHits - _resetAt.Hits, stats.KeyspaceMisses - _resetAt.Misses, stats.ExpiredKeys - _resetAt.Expired);

    /// <summary>CONFIG RESETSTAT: what Redis resets (commandstats, errorstats, latencystats, keyspace hits and misses,
    /// expired keys, network bytes); the /metrics counters of commands and connections keep counting.</summary>
    public void ResetStats()
    {
        CommandStats.Reset();
        ErrorStats.Reset();
        var stats = store.Stats;
        _resetAt = (stats.KeyspaceHits, stats.KeyspaceMisses, stats.ExpiredKeys);
        Interlocked.Exchange(ref _netInputBytes, 0);
        Interlocked.Exchange(ref _netOutputBytes, 0);
    }

    public List<CommandFigures> CommandFigures() => CommandStats.Snapshot();

    public async Task RunConnectionAsync(IDuplexPipe transport, EndPoint? remote, EndPoint? local, CancellationToken ct)
    {
        var client = new RespConnection(this, Interlocked.Increment(ref _nextId), remote, local, authenticator.IsTrusted(remote));
        client.OnKill(transport.Input.CancelPendingRead);
        client.OnPushes(transport.Input.CancelPendingRead); // the loop wakes, finds no kill, and sends the messages
        _clients[client.Id] = client;
        Interlocked.Increment(ref _totalConnections);
        try
        {
            await ServeAsync(client, transport, ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException)
        {
            // The client went away (or the site is stopping): nothing more to answer.
        }
        finally
        {
            if (client.Parser.InCommand)
            {
                RespLog.DisconnectedMidCommand(logger, remote?.ToString());
            }

            _clients.TryRemove(client.Id, out _);
            client.UnsubscribeAll();
            await transport.Input.CompleteAsync();
            await transport.Output.CompleteAsync();
        }
    }

    private async Task ServeAsync(RespConnection client, IDuplexPipe transport, CancellationToken ct)
    {
        var input = transport.Input;
        var output = transport.Output;
        while (true)
        {
            var read = await input.ReadAsync(ct);
            if (read.IsCanceled && client.CloseAfterReply)
            {
                return; // CLIENT KILL from another connection
            }

            var buffer = read.Buffer;
            client.NoteActivity(options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            var consumed = await RunCommandsAsync(client, buffer);
            CountNet(buffer.Slice(buffer.Start, consumed).Length, 0);
            // Replies filled a send's worth: what is left is read again at once, not after more input arrives.
            var more = client.Reply.Length >= options.MaxReplyBytesPerSend;
            input.AdvanceTo(consumed, more ? consumed : buffer.End);

            await client.WaitForCommitAsync();
            client.AppendPushesToReply();
            CountNet(0, client.Reply.Length);
            client.Reply.DrainTo(output);
            var flushed = await output.FlushAsync(ct);
            if (client.Parser.Error is { } error)
            {
                RespLog.ProtocolError(logger, client.Remote?.ToString(), error);
                return;
            }

            // A read cancelled by CLIENT KILL set CloseAfterReply; one cancelled for pub/sub messages (sent above) goes on.
            if (client.CloseAfterReply || flushed.IsCompleted || (read.IsCompleted && !more))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Runs the whole commands in <paramref name="buffer"/> until their replies fill <see cref="RespServerOptions.MaxReplyBytesPerSend"/>
    /// (so a client pipelining large reads without reading the replies holds a bounded buffer); returns how far it was
    /// consumed. Completes synchronously when no command awaits (internal: the allocation test drives it on its own thread).
    /// </summary>
    internal async ValueTask<SequencePosition> RunCommandsAsync(RespConnection client, ReadOnlySequence<byte> buffer)
    {
        var position = buffer.Start;
        while (!client.CloseAfterReply && client.Reply.Length < options.MaxReplyBytesPerSend)
        {
            var next = RunDataBurst(client, buffer, ref position, out var command);
            if (next == NextCommand.None)
            {
                break;
            }

            if (next == NextCommand.Session)
            {
                Interlocked.Increment(ref _totalCommands);
                var pending = DispatchSafely(client, command);
                if (!pending.IsCompletedSuccessfully)
                {
                    await pending;
                }
            }
        }

        return position;
    }

    /// <summary>
    /// Parses the next command and, while they are data commands (which complete synchronously), runs them under one
    /// hold of the store's lock: a pipelined burst takes the lock once, not once per command. Stops at a session command
    /// (returned parsed, for the caller to run outside the lock: it may await), at the end of the whole commands, or after
    /// <see cref="RespServerOptions.MaxCommandsPerLockHold"/> commands so other connections get their turn.
    /// </summary>
    private NextCommand RunDataBurst(RespConnection client, ReadOnlySequence<byte> buffer, ref SequencePosition position, out RespCommand? command)
    {
        var next = ParseNext(client, buffer, ref position, out command);
        if (next != NextCommand.Data)
        {
            return next;
        }

        var ran = 0;
        using (store.HoldForBurst())
        {
            while (true)
            {
                var pending = DispatchSafely(client, command);
                ran++;
                if (!pending.IsCompletedSuccessfully)
                {
                    // A data command never awaits (RespConnection.DispatchAsync); were one to, waiting under the lock would stall the site.
                    throw new InvalidOperationException($"The data command '{client.LastCommand}' did not complete synchronously.");
                }

                if (client.CloseAfterReply || ran >= options.MaxCommandsPerLockHold || client.Reply.Length >= options.MaxReplyBytesPerSend)
                {
                    next = NextCommand.Data; // the caller comes back for the rest, the lock released meanwhile
                    break;
                }

                next = ParseNext(client, buffer, ref position, out command);
                if (next != NextCommand.Data)
                {
                    break;
                }
            }
        }

        Interlocked.Add(ref _totalCommands, ran);
        return next;
    }

    /// <summary>Parses one command from <paramref name="position"/>: what kind it is, or None when the input ends or is malformed (its error already answered).</summary>
    private static NextCommand ParseNext(RespConnection client, ReadOnlySequence<byte> buffer, ref SequencePosition position, out RespCommand? command)
    {
        command = null;
        if (client.CloseAfterReply)
        {
            return NextCommand.None;
        }

        // A SequenceReader cannot live across an await, so each command gets a fresh one from where the last stopped.
        var reader = new SequenceReader<byte>(buffer.Slice(position));
        var status = client.Parser.TryParse(ref reader, client.Authenticated);
        position = reader.Position;
        if (status == RespParseStatus.Error)
        {
            client.Reply.Error(client.Parser.Error!);
            return NextCommand.None;
        }

        if (status == RespParseStatus.Incomplete)
        {
            return NextCommand.None;
        }

        command = CommandTable.Find(client.Parser.Args[0]);
        return command?.Kv is not null ? NextCommand.Data : NextCommand.Session;
    }

    private ValueTask DispatchSafely(RespConnection client, RespCommand? command)
    {
        var mark = client.Reply.Mark;
        var started = options.TimeProvider.GetTimestamp();
        try
        {
            var pending = client.DispatchAsync(command, client.Parser.Args);
            if (!pending.IsCompletedSuccessfully)
            {
                return AwaitSafely(client, command, pending, mark, started);
            }
        }
        catch (Exception e)
        {
            Fail(client, e, mark);
        }

        Measure(client, command, mark, started);
        return ValueTask.CompletedTask;
    }

    private async ValueTask AwaitSafely(RespConnection client, RespCommand? command, ValueTask pending, int mark, long started)
    {
        try
        {
            await pending;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(client, e, mark);
        }

        Measure(client, command, mark, started);
    }

    /// <summary>INFO commandstats and SLOWLOG: how long the command ran and whether it failed (an unknown command counts only in errorstats).</summary>
    private void Measure(RespConnection client, RespCommand? command, int mark, long started)
    {
        if (command is null || client.LastOutcome == DispatchOutcome.Queued)
        {
            return;
        }

        var args = client.Parser.Args;
        if (client.LastOutcome == DispatchOutcome.Rejected)
        {
            CommandStats.Rejected(command, args);
            return;
        }

        var elapsed = options.TimeProvider.GetTimestamp() - started - client.TakeBlockedTicks();
        CommandStats.Ran(command, args, elapsed, client.Reply.IsErrorAt(mark));
        if (SlowLog.IsSlow(elapsed))
        {
            SlowLog.Add(args, elapsed, client);
        }
    }

    /// <summary>A bug, not a refusal: the client gets an error naming it and the connection goes on.</summary>
    private void Fail(RespConnection client, Exception e, int mark)
    {
        RespLog.CommandFailed(logger, e, client.LastCommand, client.Remote?.ToString());
        client.Reply.Rewind(mark);
        client.Reply.Error($"ERR internal error in '{client.LastCommand}': {e.Message}");
    }

    /// <summary>What <see cref="ParseNext"/> found.</summary>
    private enum NextCommand
    {
        /// <summary>No whole command (the input ended, or was malformed and answered).</summary>
        None,

        /// <summary>A data command, run under the store's lock with its neighbours.</summary>
        Data,

        /// <summary>Any other command (connection, server, transaction control), run on its own: it may await.</summary>
        Session,
    }
}
