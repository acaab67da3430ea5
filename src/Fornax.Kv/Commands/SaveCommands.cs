using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Native;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>
/// SAVE, BGSAVE and LASTSAVE, as backup scripts use them. The store has no snapshot file to write: every write is in its
/// log at once (RocksDB's write-ahead log), so saving is syncing that log to the disk. SAVE answers once every write
/// before it is synced, whatever the site's durability policy: a durable point on demand under everysec or none.
/// </summary>
internal static class SaveCommands
{
    private const CommandFlags Admin = CommandFlags.Admin | CommandFlags.NoMulti;

    public static void Register(List<RespCommand> commands)
    {
        commands.Add(new("save", 1, Admin, 0, 0, 0, "server", "Syncs every write so far to the disk, and answers once it is there.") { Session = SaveAsync });
        commands.Add(new("bgsave", -1, Admin, 0, 0, 0, "server", "Syncs every write so far to the disk, without waiting for it.") { Session = BackgroundSave });
        commands.Add(new("lastsave", 1, CommandFlags.Fast, 0, 0, 0, "server", "Returns the Unix time of the last sync of the store's log to the disk.") { Session = LastSave });
    }

    private static async ValueTask SaveAsync(RespConnection client, RespArgs args)
    {
        try
        {
            await client.Store.SaveAsync();
            client.Reply.Ok();
        }
        catch (Exception e) when (e is RocksDbException or KvException)
        {
            client.Reply.Error($"ERR the store could not sync its log to the disk: {e.Message}");
        }
    }

    private static ValueTask BackgroundSave(RespConnection client, RespArgs args)
    {
        if (args.Count > 2 || (args.Count == 2 && !args.Is(1, "SCHEDULE"u8)))
        {
            client.Reply.Error(RespErrors.Syntax);
            return ValueTask.CompletedTask;
        }

        // The outcome shows in LASTSAVE (it moves) and INFO persistence, as a Redis BGSAVE's does.
        _ = client.Store.SaveAsync().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        client.Reply.SimpleString("Background saving started"u8);
        return ValueTask.CompletedTask;
    }

    private static ValueTask LastSave(RespConnection client, RespArgs args)
    {
        client.Reply.Integer(client.Store.LastSaveUnixMs / 1000);
        return ValueTask.CompletedTask;
    }
}
