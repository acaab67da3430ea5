using System.Net;
using System.Net.Sockets;

namespace Fornax.Kv.Resp;

/// <summary>
/// The connection loop on a socket, without pipes: the thread that completes a receive parses it, runs its commands and
/// sends their replies (as Garnet does on its receive callback). Through Kestrel's pipes each read was handed from the
/// socket's thread to a pool thread and each reply back to an I/O thread; at -P 16 those hand-offs, not the commands,
/// were most of the site's CPU.
/// </summary>
internal sealed partial class RespServer
{
    public RespListener Listen(IPEndPoint endpoint) => RespListener.Start(this, endpoint);

    /// <summary>Serves one accepted socket until the client quits or goes, or the listener stops; disposes it.</summary>
    public async Task RunSocketAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint;
        var client = new RespConnection(this, Interlocked.Increment(ref _nextId), remote, socket.LocalEndPoint, authenticator.IsTrusted(remote));
        // Ending both directions wakes the loop's pending receive with the end of the stream, and fails a pending send.
        client.OnKill(() => Close(socket));
        client.OnBlocked(wake => WatchWhileBlockedAsync(client, socket, wake));
        _clients[client.Id] = client;
        Interlocked.Increment(ref _totalConnections);
        try
        {
            await ServeSocketAsync(client, socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The client went away (or the listener aborted the connection): nothing more to answer.
        }
        finally
        {
            if (client.Parser.InCommand)
            {
                RespLog.DisconnectedMidCommand(logger, remote?.ToString());
            }

            _clients.TryRemove(client.Id, out _);
            client.UnsubscribeAll();
            client.Input.Dispose();
            Close(socket);
        }
    }

    private async Task ServeSocketAsync(RespConnection client, Socket socket)
    {
        var input = client.Input;
        while (true)
        {
            if (input.Length == 0)
            {
                // Wait for the client's next bytes without holding a buffer: an idle connection costs none.
                input.Release();
                if (IsSubscriber(client))
                {
                    await ReceiveOrSendPushesAsync(client, socket, Memory<byte>.Empty);
                }
                else
                {
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                }
            }

            // A subscriber halfway through sending a command still gets its messages meanwhile.
            var received = IsSubscriber(client) && input.Length > 0
                ? await ReceiveOrSendPushesAsync(client, socket, input.Free())
                : await socket.ReceiveAsync(input.Free(), SocketFlags.None);
            input.Received(received);
            CountNet(received, 0);
            client.NoteActivity(options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            bool more;
            do
            {
                var unread = input.Unread;
                var consumed = await RunCommandsAsync(client, unread);
                input.Consumed(unread.Slice(unread.Start, consumed).Length);
                // Replies filled a send's worth, or a blocking command read more meanwhile: the rest of the input runs
                // after the replies are sent, before another receive.
                more = client.Reply.Length >= options.MaxReplyBytesPerSend | client.TakeReceivedWhileBlocked();
                await client.WaitForCommitAsync();
                if (client.HasPushes)
                {
                    client.AppendPushesToReply();
                }

                await SendRepliesAsync(client, socket);
                if (client.Parser.Error is { } error)
                {
                    RespLog.ProtocolError(logger, client.Remote?.ToString(), error);
                    return;
                }

                if (client.CloseAfterReply)
                {
                    return;
                }
            }
            while (more);

            if (received == 0 || client.InputEnded)
            {
                return; // the client ended its send side (or the listener is stopping): every reply is sent
            }
        }
    }

    private static bool IsSubscriber(RespConnection client) => client.Subscriptions > 0 || client.HasPushes;

    /// <summary>A subscriber waiting for input: sends each message published meanwhile as it is queued; returns what was received.</summary>
    private static async Task<int> ReceiveOrSendPushesAsync(RespConnection client, Socket socket, Memory<byte> into)
    {
        var received = socket.ReceiveAsync(into, SocketFlags.None).AsTask();
        while (!received.IsCompleted)
        {
            if (await Task.WhenAny(received, client.PushArrivedAsync()) != received)
            {
                client.AppendPushesToReply();
                await SendRepliesAsync(client, socket);
            }
        }

        return await received;
    }

    /// <summary>
    /// While a command blocks: first sends the replies of the commands before it (durable first, as always), as Redis
    /// writes a blocked client's pending output; then waits for <paramref name="wake"/> and reads the client meanwhile,
    /// as Redis' event loop reads a blocked client, into the free end of the receive buffer (the commands read so are
    /// run after the blocking one). So a client that closes, or ends its send side (as the port does to every
    /// connection when it stops), ends the wait at once — false — instead of holding its connection until the command's
    /// timeout. A client that fills the buffer meanwhile is not read further until the command ends.
    /// </summary>
    private async ValueTask<bool> WatchWhileBlockedAsync(RespConnection client, Socket socket, Task wake)
    {
        if (!client.Reply.Pending.IsEmpty)
        {
            try
            {
                await client.WaitForCommitAsync();
                await SendAsync(client, socket, client.Reply.Pending);
                client.Reply.SentSoFar();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                client.InputEnded = true; // the client went: the loop finds out when it sends the blocking command's reply
                return false;
            }
        }

        while (!wake.IsCompleted)
        {
            var room = client.Input.Room();
            if (room.IsEmpty)
            {
                await wake;
                return true;
            }

            using var woken = new CancellationTokenSource();
            var receive = socket.ReceiveAsync(room, SocketFlags.None, woken.Token).AsTask();
            if (await Task.WhenAny(wake, receive) != receive)
            {
                woken.Cancel();
            }

            int received;
            try
            {
                received = await receive;
            }
            catch (OperationCanceledException)
            {
                return true; // woken: the receive was cancelled before any byte came
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                received = 0; // reset or killed: the loop finds out when it sends the reply
            }

            if (received == 0)
            {
                client.InputEnded = true;
                return false;
            }

            CountNet(received, 0);
            client.Input.Received(received);
            client.ReceivedWhileBlocked = true;
        }

        return true;
    }

    /// <summary>Sends the gathered replies from the reply buffer itself; a slow reader holds the loop here, so it reads no more meanwhile.</summary>
    private static async ValueTask SendRepliesAsync(RespConnection client, Socket socket)
    {
        await SendAsync(client, socket, client.Reply.Pending);
        client.Reply.Sent();
    }

    private static async ValueTask SendAsync(RespConnection client, Socket socket, ReadOnlyMemory<byte> pending)
    {
        client.Server.CountNet(0, pending.Length);
        while (!pending.IsEmpty)
        {
            var sent = await socket.SendAsync(pending, SocketFlags.None);
            pending = pending[sent..];
        }
    }

    /// <summary>Ends the connection with a FIN after the last reply (not a reset, which could drop replies the client has not read).</summary>
    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed by the client: nothing to end gracefully.
        }

        socket.Dispose();
    }
}
