using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>
/// Redis' list, sorted-set, stream, sharded pub/sub, scripting, bitmap, HyperLogLog and geospatial commands, and a few
/// others a site has no use for: each answers one error that names what the store does support, rather than Redis'
/// "unknown command" that would suggest a typo.
/// </summary>
internal static class UnsupportedCommands
{
    public const string Group = "unsupported";

    private static readonly (string Kind, string[] Names)[] Kinds =
    [
        ("lists are not supported", ["lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "lrange", "llen", "lindex", "lset", "lrem", "linsert", "ltrim", "lpos", "lmove", "blmove", "blpop", "brpop", "rpoplpush", "brpoplpush", "lmpop", "blmpop"]),
        ("sorted sets are not supported", ["zadd", "zrange", "zrem", "zscore", "zcard", "zincrby", "zrank", "zrevrank", "zcount", "zrangebyscore", "zrevrange", "zrevrangebyscore", "zpopmin", "zpopmax", "bzpopmin", "bzpopmax", "zunionstore", "zinterstore", "zdiff", "zdiffstore", "zunion", "zinter", "zintercard", "zlexcount", "zrangebylex", "zrevrangebylex", "zremrangebyrank", "zremrangebyscore", "zremrangebylex", "zmscore", "zrandmember", "zrangestore", "zscan", "zmpop", "bzmpop"]),
        ("streams are not supported", ["xadd", "xrange", "xrevrange", "xlen", "xread", "xreadgroup", "xgroup", "xack", "xpending", "xclaim", "xautoclaim", "xdel", "xtrim", "xinfo", "xsetid"]),
        ("sharded publish/subscribe is not supported (PUBLISH and SUBSCRIBE are)", ["ssubscribe", "sunsubscribe", "spublish"]),
        ("scripts (EVAL, FUNCTION) are not supported", ["eval", "evalsha", "eval_ro", "evalsha_ro", "script", "fcall", "fcall_ro", "function"]),
        ("bitmaps and bit fields are not supported", ["setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro"]),
        ("HyperLogLogs are not supported", ["pfadd", "pfcount", "pfmerge", "pfdebug", "pfselftest"]),
        ("geospatial indexes are not supported", ["geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro", "georadiusbymember", "georadiusbymember_ro", "geosearch", "geosearchstore"]),
        ("SORT, LCS, DUMP, RESTORE and MIGRATE are not supported", ["sort", "sort_ro", "lcs", "dump", "restore", "migrate"]),
        ("there is one database: MOVE and SWAPDB are not supported", ["move", "swapdb"]),
    ];

    public static void Register(List<RespCommand> commands)
    {
        foreach (var (kind, names) in Kinds)
        {
            var message = $"the Fornax KV store has strings, counters, hashes and sets; {kind}";
            foreach (var name in names)
            {
                var error = $"ERR unsupported command '{name}': {message}";
                commands.Add(new(name, -1, CommandFlags.None, 0, 0, 0, Group, message)
                {
                    Session = (client, _) =>
                    {
                        client.Reply.Error(error);
                        return ValueTask.CompletedTask;
                    },
                });
            }
        }
    }
}
