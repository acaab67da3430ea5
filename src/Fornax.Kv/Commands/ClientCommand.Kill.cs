using System.Net;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>
/// CLIENT KILL, as Redis 7 parses it (networking.c clientKillCommand): the old form <c>CLIENT KILL ip:port</c> answers
/// OK or "No such client" and may end the caller itself; the new form takes filters (ID, TYPE, USER, ADDR, LADDR,
/// SKIPME), ends every connection matching all of them, skips the caller unless <c>SKIPME no</c>, and answers the count.
/// A connection ended so is closed with a FIN after the command it is running; the caller's own, after this reply.
/// </summary>
internal static partial class ClientCommand
{
    private static void Kill(RespConnection client, RespArgs args)
    {
        long? id = null;
        string? addr = null, laddr = null;
        var skipMe = true;
        var oldForm = args.Count == 3;
        if (oldForm)
        {
            addr = args.String(2);
            skipMe = false; // with the old form a client can kill itself, as in Redis
        }
        else if (args.Count % 2 == 1)
        {
            client.Reply.Error(RespErrors.Syntax);
            return;
        }

        for (var i = 2; !oldForm && i < args.Count; i += 2)
        {
            var value = args.String(i + 1);
            switch (args.String(i).ToUpperInvariant())
            {
                case "ID":
                    if (!RespText.TryParseInt64(args[i + 1], out var parsed) || parsed < 1)
                    {
                        client.Reply.Error("ERR client-id should be greater than 0");
                        return;
                    }

                    id = parsed;
                    break;
                case "TYPE":
                    if (value.ToLowerInvariant() is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                    {
                        client.Reply.Error($"ERR Unknown client type '{value}'");
                        return;
                    }

                    if (value.ToLowerInvariant() != "normal")
                    {
                        id = -1; // no client of this site is a replica, master or subscriber: nothing matches
                    }

                    break;
                case "USER":
                    if (value != "default")
                    {
                        client.Reply.Error($"ERR No such user '{value}'"); // one user here: a site token authenticates as it
                        return;
                    }

                    break;
                case "ADDR":
                    addr = value;
                    break;
                case "LADDR":
                    laddr = value;
                    break;
                case "SKIPME" when value.Equals("yes", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase):
                    skipMe = value.Equals("yes", StringComparison.OrdinalIgnoreCase);
                    break;
                default:
                    client.Reply.Error(RespErrors.Syntax);
                    return;
            }
        }

        // A connection already ending (killed before, or after QUIT) is not counted again while its loop winds down.
        var killed = 0;
        foreach (var other in client.Server.Clients)
        {
            if ((id is { } wanted && other.Id != wanted) || (addr is not null && Address(other.Remote) != addr) ||
                (laddr is not null && Address(other.Local) != laddr) || (skipMe && other == client) ||
                (other.CloseAfterReply && other != client))
            {
                continue;
            }

            killed++;
            if (other == client)
            {
                client.CloseAfterReply = true;
            }
            else
            {
                other.Kill();
            }
        }

        if (!oldForm)
        {
            client.Reply.Integer(killed);
        }
        else if (killed == 0)
        {
            client.Reply.Error("ERR No such client");
        }
        else
        {
            client.Reply.Ok();
        }
    }

    /// <summary>An address as CLIENT LIST writes it (<c>ip:port</c>).</summary>
    private static string? Address(EndPoint? endpoint) => endpoint?.ToString();
}
