using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using Fornax.Kv.Engine;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Fornax.Kv.Resp;

/// <summary>
/// The connection loop: read what has arrived, run every whole command in it (pipelining), wait once for the batch's
/// last commit to be durable, then send all replies in one flush. A protocol error answers Redis' text and closes.
/// </summary>
internal sealed class RespServer(RespServerOptions options, IKvStore store, IRespAuthenticator authenticator, ILogger logger) : IRespServer
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

    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    public long TotalCommands => Interlocked.Read(ref _totalCommands);

    public ICollection<RespConnection> Clients => _clients.Values;

    public async Task RunConnectionAsync(IDuplexPipe transport, EndPoint? remote, EndPoint? local, CancellationToken ct)
    {
        var client = new RespConnection(this, Interlocked.Increment(ref _nextId), remote, local, authenticator.IsTrusted(remote));
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
            var buffer = read.Buffer;
            var consumed = await RunCommandsAsync(client, buffer);
            input.AdvanceTo(consumed, buffer.End);

            await client.WaitForCommitAsync();
            client.Reply.DrainTo(output);
            var flushed = await output.FlushAsync(ct);
            if (client.Parser.Error is { } error)
            {
                RespLog.ProtocolError(logger, client.Remote?.ToString(), error);
                return;
            }

            if (client.CloseAfterReply || read.IsCompleted || read.IsCanceled || flushed.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Runs the whole commands in <paramref name="buffer"/>; returns how far it was consumed.</summary>
    private async ValueTask<SequencePosition> RunCommandsAsync(RespConnection client, ReadOnlySequence<byte> buffer)
    {
        var position = buffer.Start;
        while (!client.CloseAfterReply)
        {
            // A SequenceReader cannot live across an await, so each command gets a fresh one from where the last stopped.
            var status = Parse(client, buffer.Slice(position), out var next);
            position = next;
            if (status == RespParseStatus.Error)
            {
                client.Reply.Error(client.Parser.Error!);
                break;
            }

            if (status == RespParseStatus.Incomplete)
            {
                break;
            }

            Interlocked.Increment(ref _totalCommands);
            var pending = DispatchSafely(client);
            if (!pending.IsCompletedSuccessfully)
            {
                await pending;
            }
        }

        return position;
    }

    private static RespParseStatus Parse(RespConnection client, ReadOnlySequence<byte> unread, out SequencePosition next)
    {
        var reader = new SequenceReader<byte>(unread);
        var status = client.Parser.TryParse(ref reader, client.Authenticated);
        next = reader.Position;
        return status;
    }

    private ValueTask DispatchSafely(RespConnection client)
    {
        var mark = client.Reply.Mark;
        try
        {
            var pending = client.DispatchAsync(client.Parser.Args);
            return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitSafely(client, pending, mark);
        }
        catch (Exception e)
        {
            Fail(client, e, mark);
            return ValueTask.CompletedTask;
        }
    }

    private async ValueTask AwaitSafely(RespConnection client, ValueTask pending, int mark)
    {
        try
        {
            await pending;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(client, e, mark);
        }
    }

    /// <summary>A bug, not a refusal: the client gets an error naming it and the connection goes on.</summary>
    private void Fail(RespConnection client, Exception e, int mark)
    {
        RespLog.CommandFailed(logger, e, client.LastCommand, client.Remote?.ToString());
        client.Reply.Rewind(mark);
        client.Reply.Error($"ERR internal error in '{client.LastCommand}': {e.Message}");
    }
}
