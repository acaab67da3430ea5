using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

// HSCAN and HRANDFIELD. The engine hands out a hash whole, so HSCAN answers it in one step (cursor 0), as Redis does
// for small hashes; MATCH still filters.
internal static partial class HashCommands
{
    private static void HScan(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!KeyCommands.TryParseCursor(args[2], out _))
        {
            client.Reply.Error(RespErrors.InvalidCursor);
            return;
        }

        // The key before the options, as redis-server reads them: a missing key answers an empty page whatever they say.
        if (!ScanOptions.KeyHolds(tx, args[1], KvType.Hash, client))
        {
            return;
        }

        var options = ScanOptions.Parse(args, 3, allowType: false);
        if (options.Error is { } error)
        {
            client.Reply.Error(error);
            return;
        }

        var entries = new List<KeyValuePair<byte[], byte[]>>();
        tx.HashEntries(args[1], entries);
        entries.RemoveAll(e => !options.Matches(args, e.Key));
        client.Reply.Array(2);
        client.Reply.Bulk("0"u8);
        client.Reply.Array(entries.Count * 2);
        foreach (var (field, value) in entries)
        {
            client.Reply.Bulk(field);
            client.Reply.Bulk(value);
        }
    }

    /// <summary>HRANDFIELD key [count [WITHVALUES]]: a positive count gives distinct fields, a negative one may repeat.</summary>
    private static void HRandField(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        // In redis-server's order: the count, the options, WITHVALUES's bound on the count, then the key.
        long count = 0;
        if (args.Count >= 3 && !RespText.TryParseInt64(args[2], out count))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return;
        }

        if (count == long.MinValue)
        {
            client.Reply.Error(RespErrors.CountOutOfRange);
            return;
        }

        var withValues = args.Count == 4 && args.Is(3, "WITHVALUES"u8);
        if (args.Count > 4 || (args.Count == 4 && !withValues))
        {
            client.Reply.Error(RespErrors.Syntax);
            return;
        }

        if (withValues && (count < -long.MaxValue / 2 || count > long.MaxValue / 2))
        {
            client.Reply.Error("ERR value is out of range");
            return;
        }

        var entries = new List<KeyValuePair<byte[], byte[]>>();
        tx.HashEntries(args[1], entries);
        if (args.Count == 2)
        {
            Replies.BulkOrNull(client.Reply, entries.Count == 0 ? null : entries[client.Random.Next(entries.Count)].Key);
            return;
        }

        var picked = RandomPick.Pick(entries, count, client.Random);
        if (withValues && client.Reply.IsResp3)
        {
            client.Reply.Array(picked.Count);
            picked.ForEach(e =>
            {
                client.Reply.Array(2);
                client.Reply.Bulk(e.Key);
                client.Reply.Bulk(e.Value);
            });
            return;
        }

        client.Reply.Array(picked.Count * (withValues ? 2 : 1));
        foreach (var (field, value) in picked)
        {
            client.Reply.Bulk(field);
            if (withValues)
            {
                client.Reply.Bulk(value);
            }
        }
    }
}

/// <summary>Redis' count rule for HRANDFIELD and SRANDMEMBER: positive means distinct (at most all), negative may repeat.</summary>
internal static class RandomPick
{
    /// <summary>A negative count builds its whole reply: bounded so one command cannot ask for gigabytes.</summary>
    private const long MaxRepeated = 16 * 1024 * 1024;

    public static List<T> Pick<T>(List<T> items, long count, Random random)
    {
        if (items.Count == 0 || count == 0)
        {
            return [];
        }

        if (count < 0)
        {
            if (count < -MaxRepeated)
            {
                throw new Engine.KvException("ERR value is out of range");
            }

            var repeated = new List<T>((int)Math.Min(-count, 1 << 20));
            for (long i = 0; i < -count; i++)
            {
                repeated.Add(items[random.Next(items.Count)]);
            }

            return repeated;
        }

        var shuffled = new List<T>(items);
        for (var i = shuffled.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }

        return shuffled.Count > count ? shuffled[..(int)count] : shuffled;
    }
}
