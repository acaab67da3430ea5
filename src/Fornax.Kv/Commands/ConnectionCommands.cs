using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET (CLIENT is in <see cref="ClientCommand"/>).</summary>
internal static class ConnectionCommands
{
    private const CommandFlags Conn = CommandFlags.Fast;

    public static void Register(List<RespCommand> commands)
    {
        commands.Add(new("ping", -1, Conn | CommandFlags.PubSubContext, 0, 0, 0, "connection", "Returns the server's liveliness response.") { Session = Ping });
        commands.Add(new("echo", 2, Conn, 0, 0, 0, "connection", "Returns the given string.") { Session = Echo });
        commands.Add(new("select", 2, Conn, 0, 0, 0, "connection", "Changes the selected database (only database 0 exists).") { Session = Select });
        commands.Add(new("quit", 1, Conn | CommandFlags.NoAuth | CommandFlags.Transaction | CommandFlags.PubSubContext, 0, 0, 0, "connection", "Closes the connection.") { Session = Quit });
        commands.Add(new("reset", 1, Conn | CommandFlags.NoAuth | CommandFlags.Transaction | CommandFlags.PubSubContext, 0, 0, 0, "connection", "Resets the connection.") { Session = Reset, Since = "6.2.0" });
        commands.Add(new("auth", -2, Conn | CommandFlags.NoAuth | CommandFlags.NoMulti, 0, 0, 0, "connection", "Authenticates the connection with a site token.") { Session = Auth });
        commands.Add(new("hello", -1, Conn | CommandFlags.NoAuth | CommandFlags.NoMulti, 0, 0, 0, "connection", "Handshakes with the server (protocol version, AUTH, SETNAME).") { Session = Hello, Since = "6.0.0" });
        commands.Add(new("client", -2, CommandFlags.None, 0, 0, 0, "connection", "A container for client connection commands.") { Session = ClientCommand.Run, Subcommands = ["id", "getname", "setname", "setinfo", "info", "kill", "list", "no-evict", "no-touch", "help"] });
    }

    private static ValueTask Ping(RespConnection client, RespArgs args)
    {
        if (args.Count > 2)
        {
            client.Reply.Error(RespErrors.WrongArity("ping"));
        }
        else if (client.InSubscribeMode)
        {
            // A subscribed RESP2 connection reads pushes as arrays: PING answers in that shape, as Redis does.
            client.Reply.Array(2);
            client.Reply.Bulk("pong"u8);
            client.Reply.Bulk(args.Count == 2 ? args[1] : []);
        }
        else if (args.Count == 2)
        {
            client.Reply.Bulk(args[1]);
        }
        else
        {
            client.Reply.SimpleString("PONG"u8);
        }

        return ValueTask.CompletedTask;
    }

    private static ValueTask Echo(RespConnection client, RespArgs args)
    {
        client.Reply.Bulk(args[1]);
        return ValueTask.CompletedTask;
    }

    private static ValueTask Select(RespConnection client, RespArgs args)
    {
        if (!RespText.TryParseInt64(args[1], out var index) || index is < int.MinValue or > int.MaxValue)
        {
            client.Reply.Error(RespErrors.NotInteger);
        }
        else if (index != 0)
        {
            client.Reply.Error(RespErrors.DbIndexOutOfRange);
        }
        else
        {
            client.Reply.Ok();
        }

        return ValueTask.CompletedTask;
    }

    private static ValueTask Quit(RespConnection client, RespArgs args)
    {
        client.Reply.Ok();
        client.CloseAfterReply = true;
        return ValueTask.CompletedTask;
    }

    private static ValueTask Reset(RespConnection client, RespArgs args)
    {
        client.DiscardMulti();
        client.UnsubscribeAll();
        client.Reply.Protocol = 2;
        client.Name = null;
        client.Authenticated = client.Server.Authenticator.IsTrusted(client.Remote);
        client.Reply.SimpleString("RESET"u8);
        return ValueTask.CompletedTask;
    }

    /// <summary>AUTH [username] password: a site token (any user name: a token is the whole credential).</summary>
    private static ValueTask Auth(RespConnection client, RespArgs args)
    {
        if (args.Count > 3)
        {
            client.Reply.Error(RespErrors.Syntax);
            return ValueTask.CompletedTask;
        }

        var user = args.Count == 3 ? args.String(1) : "default";
        return AuthenticateAsync(client, user, args.String(args.Count - 1), static c => c.Reply.Ok());
    }

    /// <summary>Checks a password; on success runs <paramref name="then"/>, otherwise answers WRONGPASS and leaves the connection as it was.</summary>
    internal static async ValueTask AuthenticateAsync(RespConnection client, string user, string password, Action<RespConnection> then)
    {
        var refusal = await client.Server.Authenticator.AuthenticateAsync(user, password, CancellationToken.None);
        if (refusal is not null)
        {
            RespLog.AuthRefused(client.Server.Logger, client.Remote?.ToString(), refusal);
            client.Reply.Error(RespErrors.WrongPass);
            return;
        }

        client.Authenticated = true;
        then(client);
    }

    /// <summary>HELLO [protover [AUTH username password] [SETNAME clientname]], as Redis 7.</summary>
    private static ValueTask Hello(RespConnection client, RespArgs args)
    {
        var protocol = client.Reply.Protocol;
        if (args.Count > 1)
        {
            if (!RespText.TryParseInt64(args[1], out var version) || version is < int.MinValue or > int.MaxValue)
            {
                client.Reply.Error("ERR Protocol version is not an integer or out of range");
                return ValueTask.CompletedTask;
            }

            if (version is < 2 or > 3)
            {
                client.Reply.Error("NOPROTO unsupported protocol version");
                return ValueTask.CompletedTask;
            }

            protocol = (int)version;
        }

        string? user = null, password = null, name = null;
        for (var i = 2; i < args.Count; i++)
        {
            var more = args.Count - i - 1;
            if (args.Is(i, "AUTH"u8) && more >= 2)
            {
                user = args.String(i + 1);
                password = args.String(i + 2);
                i += 2;
            }
            else if (args.Is(i, "SETNAME"u8) && more >= 1)
            {
                name = args.String(i + 1);
                i++;
            }
            else
            {
                client.Reply.Error($"ERR Syntax error in HELLO option '{args.String(i)}'");
                return ValueTask.CompletedTask;
            }
        }

        if (name is not null && !ClientCommand.IsValidName(name))
        {
            client.Reply.Error(ClientCommand.InvalidName);
            return ValueTask.CompletedTask;
        }

        if (password is not null)
        {
            return AuthenticateAsync(client, user!, password, c => CompleteHello(c, protocol, name));
        }

        if (!client.Authenticated)
        {
            client.Reply.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return ValueTask.CompletedTask;
        }

        CompleteHello(client, protocol, name);
        return ValueTask.CompletedTask;
    }

    private static void CompleteHello(RespConnection client, int protocol, string? name)
    {
        if (name is not null)
        {
            client.Name = name.Length == 0 ? null : name;
        }

        var reply = client.Reply;
        reply.Protocol = protocol;
        reply.Map(7);
        reply.Bulk("server"u8);
        reply.Bulk("redis"u8);
        reply.Bulk("version"u8);
        reply.Bulk(client.Server.Options.RedisVersion);
        reply.Bulk("proto"u8);
        reply.Integer(protocol);
        reply.Bulk("id"u8);
        reply.Integer(client.Id);
        reply.Bulk("mode"u8);
        reply.Bulk("standalone"u8);
        reply.Bulk("role"u8);
        reply.Bulk("master"u8);
        reply.Bulk("modules"u8);
        reply.Array(0);
    }
}
