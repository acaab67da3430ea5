namespace Fornax.Kv.Tests.Resp;

/// <summary>Commands with Redis 7's exact replies and error texts, over the real engine (one connection, in memory).</summary>
public sealed class RespCommandTests
{
    private static async Task RunAsync(params (string Command, string Reply)[] script)
    {
        await using var server = new RespTestServer();
        await RunAsync(server, script);
    }

    private static async Task RunAsync(RespTestServer server, params (string Command, string Reply)[] script)
    {
        foreach (var (command, reply) in script)
        {
            Assert.Equal((command, reply), (command, await server.CallAsync(command.Split(' '))));
        }
    }

    [Fact]
    public Task Connection_PingEchoSelectTime() => RunAsync(
        ("PING", "+PONG\r\n"),
        ("ping hi", "$2\r\nhi\r\n"),
        ("PING a b", "-ERR wrong number of arguments for 'ping' command\r\n"),
        ("ECHO x", "$1\r\nx\r\n"),
        ("SELECT 0", "+OK\r\n"),
        ("SELECT 1", "-ERR DB index is out of range\r\n"),
        ("SELECT x", "-ERR value is not an integer or out of range\r\n"),
        ("TIME", "*2\r\n$10\r\n1796299200\r\n$1\r\n0\r\n"));

    [Fact]
    public Task UnknownCommand_AnswersAsRedis() => RunAsync(
        ("FOO", "-ERR unknown command 'FOO', with args beginning with: \r\n"),
        ("foo a b", "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"),
        ("GET", "-ERR wrong number of arguments for 'get' command\r\n"),
        ("LPUSH l a", "-ERR unsupported command 'lpush': the Fornax KV store has strings, counters, hashes and sets; lists are not supported\r\n"),
        ("ZADD z 1 a", "-ERR unsupported command 'zadd': the Fornax KV store has strings, counters, hashes and sets; sorted sets are not supported\r\n"),
        ("XADD s * a b", "-ERR unsupported command 'xadd': the Fornax KV store has strings, counters, hashes and sets; streams are not supported\r\n"),
        ("EVAL x 0", "-ERR unsupported command 'eval': the Fornax KV store has strings, counters, hashes and sets; scripts (EVAL, FUNCTION) are not supported\r\n"),
        ("SETBIT k 7 1", "-ERR unsupported command 'setbit': the Fornax KV store has strings, counters, hashes and sets; bitmaps and bit fields are not supported\r\n"),
        ("PFADD h a", "-ERR unsupported command 'pfadd': the Fornax KV store has strings, counters, hashes and sets; HyperLogLogs are not supported\r\n"),
        ("GEOADD g 13.4 52.5 berlin", "-ERR unsupported command 'geoadd': the Fornax KV store has strings, counters, hashes and sets; geospatial indexes are not supported\r\n"),
        ("SORT s", "-ERR unsupported command 'sort': the Fornax KV store has strings, counters, hashes and sets; SORT, LCS, DUMP, RESTORE and MIGRATE are not supported\r\n"),
        ("MOVE k 1", "-ERR unsupported command 'move': the Fornax KV store has strings, counters, hashes and sets; there is one database: MOVE and SWAPDB are not supported\r\n"),
        ("EXISTS k g h s", ":0\r\n"));

    [Fact]
    public Task Substr_IsGetrange() => RunAsync(
        ("SET k hello", "+OK\r\n"),
        ("SUBSTR k 1 3", "$3\r\nell\r\n"),
        ("SUBSTR k -3 -1", "$3\r\nllo\r\n"),
        ("SUBSTR nokey 0 1", "$0\r\n\r\n"),
        ("SUBSTR k x 1", "-ERR value is not an integer or out of range\r\n"),
        ("SUBSTR k 1", "-ERR wrong number of arguments for 'substr' command\r\n"));

    [Fact]
    public Task SaveBgsaveLastsave_AnswerAsRedis() => RunAsync(
        ("SET k v", "+OK\r\n"),
        ("SAVE", "+OK\r\n"),
        ("LASTSAVE", ":1796299200\r\n"),
        ("BGSAVE", "+Background saving started\r\n"),
        ("BGSAVE SCHEDULE", "+Background saving started\r\n"),
        ("BGSAVE NOW", "-ERR syntax error\r\n"),
        ("SAVE now", "-ERR wrong number of arguments for 'save' command\r\n"),
        ("MULTI", "+OK\r\n"),
        ("SAVE", "-ERR Command not allowed inside a transaction\r\n"),
        ("DISCARD", "+OK\r\n"));

    [Fact]
    public Task MemoryAndObject_AnswerAsRedis() => RunAsync(
        ("SET n 12345", "+OK\r\n"),
        ("SET t hello", "+OK\r\n"),
        ("INCR c", ":1\r\n"),
        ("SADD s a", ":1\r\n"),
        ("HSET h f v", ":1\r\n"),
        ("OBJECT ENCODING n", "$3\r\nint\r\n"),
        ("OBJECT ENCODING t", "$3\r\nraw\r\n"),
        ("OBJECT ENCODING c", "$3\r\nint\r\n"),
        ("OBJECT ENCODING s", "$9\r\nhashtable\r\n"),
        ("OBJECT ENCODING h", "$9\r\nhashtable\r\n"),
        ("OBJECT ENCODING missing", "$-1\r\n"),
        ("OBJECT REFCOUNT t", ":1\r\n"),
        ("OBJECT FREQ t", "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"),
        ("OBJECT IDLETIME t", "-ERR OBJECT IDLETIME is not supported by the Fornax KV store: it does not track when a key was last read\r\n"),
        ("OBJECT ENCODING", "-ERR wrong number of arguments for 'object|encoding' command\r\n"),
        ("OBJECT FOO t", "-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n"),
        ("MEMORY USAGE missing", "$-1\r\n"),
        ("MEMORY USAGE t SAMPLES -1", "-ERR syntax error\r\n"),
        ("MEMORY USAGE t SAMPLES x", "-ERR value is not an integer or out of range\r\n"),
        ("MEMORY USAGE t FOO 1", "-ERR syntax error\r\n"),
        ("MEMORY USAGE", "-ERR wrong number of arguments for 'memory|usage' command\r\n"),
        ("MEMORY STATS", "-ERR MEMORY STATS is not supported by the Fornax KV store: INFO memory has the site's memory figures\r\n"),
        ("MEMORY FOO", "-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n"));

    [Fact]
    public Task Strings_SetFamily() => RunAsync(
        ("SET k v", "+OK\r\n"),
        ("GET k", "$1\r\nv\r\n"),
        ("SET k w NX", "$-1\r\n"),
        ("SET k w XX GET", "$1\r\nv\r\n"),
        ("SET k x NX XX", "-ERR syntax error\r\n"),
        ("SET k x EX 0", "-ERR invalid expire time in 'set' command\r\n"),
        ("SET k x EX abc", "-ERR value is not an integer or out of range\r\n"),
        ("SET k x EX 10 PX 10", "-ERR syntax error\r\n"),
        ("SET k x EX 10", "+OK\r\n"),
        ("TTL k", ":10\r\n"),
        ("SET k y KEEPTTL", "+OK\r\n"),
        ("PTTL k", ":10000\r\n"),
        ("SET k z", "+OK\r\n"),
        ("TTL k", ":-1\r\n"),
        ("SETNX k a", ":0\r\n"),
        ("SETNX n a", ":1\r\n"),
        ("SETEX e 0 v", "-ERR invalid expire time in 'setex' command\r\n"),
        ("PSETEX e 1500 v", "+OK\r\n"),
        ("TTL e", ":2\r\n"),
        ("GETSET k q", "$1\r\nz\r\n"),
        ("GETDEL k", "$1\r\nq\r\n"),
        ("GET k", "$-1\r\n"),
        ("GETEX n EX 5", "$1\r\na\r\n"),
        ("TTL n", ":5\r\n"),
        ("GETEX n PERSIST", "$1\r\na\r\n"),
        ("TTL n", ":-1\r\n"),
        ("MSET a 1 b 2", "+OK\r\n"),
        ("MSET a 1 b", "-ERR wrong number of arguments for 'mset' command\r\n"),
        ("MGET a b nope", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"),
        ("MSETNX a 1 c 3", ":0\r\n"),
        ("MSETNX c 3 d 4", ":1\r\n"),
        ("APPEND s hello", ":5\r\n"),
        ("APPEND s _world", ":11\r\n"),
        ("STRLEN s", ":11\r\n"),
        ("GETRANGE s 0 4", "$5\r\nhello\r\n"),
        ("GETRANGE s -5 -1", "$5\r\nworld\r\n"),
        ("GETRANGE s 5 1", "$0\r\n\r\n"),
        ("SETRANGE s 6 WORLD", ":11\r\n"),
        ("GET s", "$11\r\nhello_WORLD\r\n"),
        ("SETRANGE p 2 x", ":3\r\n"),
        ("GET p", "$3\r\n\0\0x\r\n"),
        ("SETRANGE p -1 x", "-ERR offset is out of range\r\n"));

    [Fact]
    public Task Counters() => RunAsync(
        ("INCR c", ":1\r\n"),
        ("INCRBY c 10", ":11\r\n"),
        ("DECR c", ":10\r\n"),
        ("DECRBY c 4", ":6\r\n"),
        ("INCRBY c x", "-ERR value is not an integer or out of range\r\n"),
        ("DECRBY c -9223372036854775808", "-ERR decrement would overflow\r\n"),
        ("GET c", "$1\r\n6\r\n"),
        ("SET s abc", "+OK\r\n"),
        ("INCR s", "-ERR value is not an integer or out of range\r\n"),
        ("INCRBYFLOAT f 10.5", "$4\r\n10.5\r\n"),
        ("INCRBYFLOAT f 0.1", "$4\r\n10.6\r\n"),
        ("INCRBYFLOAT f x", "-ERR value is not a valid float\r\n"),
        ("SET big 9223372036854775807", "+OK\r\n"),
        ("INCR big", "-ERR increment or decrement would overflow\r\n"));

    [Fact]
    public Task Keys_TypeExistsDeleteExpiry() => RunAsync(
        ("SET a 1", "+OK\r\n"),
        ("SADD s x", ":1\r\n"),
        ("HSET h f v", ":1\r\n"),
        ("TYPE a", "+string\r\n"),
        ("TYPE s", "+set\r\n"),
        ("TYPE h", "+hash\r\n"),
        ("TYPE nope", "+none\r\n"),
        ("EXISTS a s nope a", ":3\r\n"),
        ("TOUCH a nope", ":1\r\n"),
        ("EXPIRE a 100", ":1\r\n"),
        ("EXPIRE a 50 GT", ":0\r\n"),
        ("EXPIRE a 50 LT", ":1\r\n"),
        ("EXPIRE a 70 NX", ":0\r\n"),
        ("EXPIRE a 70 XX", ":1\r\n"),
        ("EXPIRE a 70 NX XX", "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
        ("EXPIRE a 70 GT LT", "-ERR GT and LT options at the same time are not compatible\r\n"),
        ("EXPIRE a 70 FOO", "-ERR Unsupported option FOO\r\n"),
        ("EXPIRE a 9223372036854775807", "-ERR invalid expire time in 'expire' command\r\n"),
        ("EXPIRE nope 10", ":0\r\n"),
        ("EXPIRETIME a", ":1796299270\r\n"),
        ("PEXPIRETIME a", ":1796299270000\r\n"),
        ("EXPIRETIME s", ":-1\r\n"),
        ("EXPIRETIME nope", ":-2\r\n"),
        ("TTL nope", ":-2\r\n"),
        ("PERSIST a", ":1\r\n"),
        ("PERSIST a", ":0\r\n"),
        ("PEXPIREAT a 1796299300000", ":1\r\n"),
        ("EXPIREAT a 1", ":1\r\n"),
        ("EXISTS a", ":0\r\n"),
        ("DEL s h nope", ":2\r\n"),
        ("UNLINK nope", ":0\r\n"),
        ("DBSIZE", ":0\r\n"));

    [Fact]
    public Task Keys_RenameCopyKeysScan() => RunAsync(
        ("INCRBY c 5", ":5\r\n"),
        ("RENAME c d", "+OK\r\n"),
        ("INCR d", ":6\r\n"),
        ("RENAME nope x", "-ERR no such key\r\n"),
        ("SET x 1", "+OK\r\n"),
        ("RENAMENX d x", ":0\r\n"),
        ("RENAMENX d y", ":1\r\n"),
        ("COPY y z", ":1\r\n"),
        ("COPY y z", ":0\r\n"),
        ("COPY y z REPLACE", ":1\r\n"),
        ("COPY y y", "-ERR source and destination objects are the same\r\n"),
        ("COPY y w DB 1", "-ERR DB index is out of range\r\n"),
        ("DBSIZE", ":3\r\n"),
        ("KEYS [xw]", "*1\r\n$1\r\nx\r\n"),
        ("SCAN 0 MATCH z COUNT 100", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nz\r\n"),
        ("SCAN 0 TYPE list", "*2\r\n$1\r\n0\r\n*0\r\n"),
        ("SCAN x", "-ERR invalid cursor\r\n"),
        ("SCAN 0 COUNT 0", "-ERR syntax error\r\n"),
        ("SCAN 0 MATCH", "-ERR syntax error\r\n"));

    [Fact]
    public Task Hashes() => RunAsync(
        ("HSET h a 1 b 2", ":2\r\n"),
        ("HSET h a 1 b", "-ERR wrong number of arguments for 'hset' command\r\n"),
        ("HMSET h c 3", "+OK\r\n"),
        ("HSETNX h a 9", ":0\r\n"),
        ("HSETNX h d 4", ":1\r\n"),
        ("HGET h a", "$1\r\n1\r\n"),
        ("HGET h nope", "$-1\r\n"),
        ("HMGET h a nope", "*2\r\n$1\r\n1\r\n$-1\r\n"),
        ("HLEN h", ":4\r\n"),
        ("HEXISTS h b", ":1\r\n"),
        ("HSTRLEN h b", ":1\r\n"),
        ("HDEL h c d nope", ":2\r\n"),
        ("HKEYS h", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
        ("HVALS h", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
        ("HGETALL h", "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"),
        ("HINCRBY h n 5", ":5\r\n"),
        ("HINCRBY h n x", "-ERR value is not an integer or out of range\r\n"),
        ("HSET h s abc", ":1\r\n"),
        ("HINCRBY h s 1", "-ERR hash value is not an integer\r\n"),
        ("HINCRBYFLOAT h f 1.5", "$3\r\n1.5\r\n"),
        ("HSCAN h 0 MATCH n", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nn\r\n$1\r\n5\r\n"),
        ("SET str v", "+OK\r\n"),
        ("HGET str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        ("HMGET str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        ("GET h", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        ("HRANDFIELD nope", "$-1\r\n"),
        ("HRANDFIELD h 0", "*0\r\n"),
        ("HRANDFIELD h 1 x", "-ERR syntax error\r\n"));

    [Fact]
    public Task Sets() => RunAsync(
        ("SADD a x y z", ":3\r\n"),
        ("SADD a x", ":0\r\n"),
        ("SADD b y z w", ":3\r\n"),
        ("SCARD a", ":3\r\n"),
        ("SISMEMBER a x", ":1\r\n"),
        ("SMISMEMBER a x q", "*2\r\n:1\r\n:0\r\n"),
        ("SINTERCARD 2 a b", ":2\r\n"),
        ("SINTERCARD 2 a b LIMIT 1", ":1\r\n"),
        ("SINTERCARD 0 a", "-ERR numkeys should be greater than 0\r\n"),
        ("SINTERCARD 3 a b", "-ERR Number of keys can't be greater than number of args\r\n"),
        ("SINTERCARD 2 a b LIMIT -1", "-ERR LIMIT can't be negative\r\n"),
        ("SDIFFSTORE d a b", ":1\r\n"),
        ("SMEMBERS d", "*1\r\n$1\r\nx\r\n"),
        ("SINTERSTORE i a b", ":2\r\n"),
        ("SUNIONSTORE u a b", ":4\r\n"),
        ("SMOVE a b x", ":1\r\n"),
        ("SMOVE a b x", ":0\r\n"),
        ("SREM b x y nope", ":2\r\n"),
        ("SCARD nope", ":0\r\n"),
        ("SPOP nope", "$-1\r\n"),
        ("SPOP a -1", "-ERR value is out of range, must be positive\r\n"),
        ("SRANDMEMBER nope 3", "*0\r\n"),
        ("SSCAN u 0 MATCH w", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nw\r\n"),
        ("SET s v", "+OK\r\n"),
        ("SADD s x", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        ("SUNION a s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        ("SMOVE a s y", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        ("SCARD a", ":2\r\n"));

    [Fact]
    public Task Multi_QueuesAndRunsAtomically_AndRefusalsInsideExecDoNotStopTheOthers() => RunAsync(
        ("MULTI", "+OK\r\n"),
        ("MULTI", "-ERR MULTI calls can not be nested\r\n"),
        ("SET a 1", "+QUEUED\r\n"),
        ("SADD a x", "+QUEUED\r\n"),
        ("INCR n", "+QUEUED\r\n"),
        ("EXEC", "*3\r\n+OK\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:1\r\n"),
        ("EXEC", "-ERR EXEC without MULTI\r\n"),
        ("DISCARD", "-ERR DISCARD without MULTI\r\n"),
        ("MULTI", "+OK\r\n"),
        ("SET b 1", "+QUEUED\r\n"),
        ("NOPE", "-ERR unknown command 'NOPE', with args beginning with: \r\n"),
        ("EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n"),
        ("EXISTS b", ":0\r\n"),
        ("MULTI", "+OK\r\n"),
        ("SET b 1", "+QUEUED\r\n"),
        ("DISCARD", "+OK\r\n"),
        ("EXISTS b", ":0\r\n"),
        ("MULTI", "+OK\r\n"),
        ("WATCH a", "-ERR WATCH inside MULTI is not allowed\r\n"),
        ("PING", "+QUEUED\r\n"),
        ("EXEC", "*1\r\n+PONG\r\n"));

    /// <summary>As in Redis (checked against redis-server 7.0.15): DBSIZE and INFO keyspace queued in MULTI count what the
    /// commands before them in the transaction created and deleted.</summary>
    [Fact]
    public Task DbSize_InsideExec_CountsTheTransactionsOwnChanges() => RunAsync(
        ("SET c 1", "+OK\r\n"),
        ("SADD s x", ":1\r\n"),
        ("MULTI", "+OK\r\n"),
        ("SET a 1", "+QUEUED\r\n"),
        ("SET b 1", "+QUEUED\r\n"),
        ("DEL c", "+QUEUED\r\n"),
        ("SREM s x", "+QUEUED\r\n"),
        ("DBSIZE", "+QUEUED\r\n"),
        ("EXEC", "*5\r\n+OK\r\n+OK\r\n:1\r\n:1\r\n:2\r\n"),
        ("DBSIZE", ":2\r\n"));

    [Fact]
    public async Task Watch_AbortsExec_WhenAnotherClientChangedTheKey()
    {
        await using var server = new RespTestServer();
        await using var other = new RespTestServer(store: server.Store);
        await RunAsync(server, ("SET k 1", "+OK\r\n"), ("WATCH k", "+OK\r\n"), ("MULTI", "+OK\r\n"), ("SET k 2", "+QUEUED\r\n"));
        await RunAsync(other, ("SET k 1", "+OK\r\n")); // the same value: still a change
        await RunAsync(server, ("EXEC", "*-1\r\n"), ("GET k", "$1\r\n1\r\n"));
        await RunAsync(server, ("WATCH k", "+OK\r\n"), ("MULTI", "+OK\r\n"), ("SET k 3", "+QUEUED\r\n"), ("EXEC", "*1\r\n+OK\r\n"), ("GET k", "$1\r\n3\r\n"));
    }

    [Fact]
    public Task Hello_SwitchesToResp3() => RunAsync(
        ("HELLO 4", "-NOPROTO unsupported protocol version\r\n"),
        ("HELLO x", "-ERR Protocol version is not an integer or out of range\r\n"),
        ("HELLO 3 SETNAME", "-ERR Syntax error in HELLO option 'SETNAME'\r\n"),
        ("HELLO 3", "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"),
        ("GET nope", "_\r\n"),
        ("HSET h a 1", ":1\r\n"),
        ("HGETALL h", "%1\r\n$1\r\na\r\n$1\r\n1\r\n"),
        ("SADD s x", ":1\r\n"),
        ("SMEMBERS s", "~1\r\n$1\r\nx\r\n"),
        ("HELLO 2", "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"),
        ("GET nope", "$-1\r\n"));

    [Fact]
    public Task Client_NamesAndIds() => RunAsync(
        ("CLIENT ID", ":1\r\n"),
        ("CLIENT GETNAME", "$-1\r\n"),
        ("CLIENT SETNAME worker-1", "+OK\r\n"),
        ("CLIENT GETNAME", "$8\r\nworker-1\r\n"),
        ("CLIENT SETINFO lib-name SE.Redis", "+OK\r\n"),
        ("CLIENT SETNAME", "-ERR wrong number of arguments for 'client|setname' command\r\n"),
        ("CLIENT FOO", "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"),
        ("COMMAND FOO", "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n"),
        ("CONFIG GET databases", "*2\r\n$9\r\ndatabases\r\n$1\r\n1\r\n"),
        ("CONFIG SET save x", "-ERR CONFIG SET 'save' is not supported: a site is configured by its 'fornax node run' flags and config file; only slowlog-log-slower-than and slowlog-max-len are set at run time\r\n"));

    /// <summary>As redis-server 7.0.15 shows a client in a transaction: flag x, and multi= the commands queued (-1 outside).</summary>
    [Fact]
    public async Task ClientList_ShowsTheCommandsQueuedInAMulti()
    {
        await using var server = new RespTestServer();
        await using var other = server.Connect();
        await RunAsync(server, ("MULTI", "+OK\r\n"), ("SET a 1", "+QUEUED\r\n"), ("SET b 1", "+QUEUED\r\n"));

        var lines = (await other.CallAsync("CLIENT", "LIST")).Split('\n');

        Assert.Contains(" flags=x db=0 sub=0 psub=0 ssub=0 multi=2 ", lines.Single(l => l.Contains("addr=192.0.2.10:5000 ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(" multi=-1 ", lines.Single(l => l.Contains("addr=192.0.2.10:5001 ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientList_And_Info_DescribeTheConnection()
    {
        await using var server = new RespTestServer();
        await server.CallAsync("CLIENT", "SETNAME", "me");

        var list = await server.CallAsync("CLIENT", "LIST");
        var info = await server.CallAsync("INFO", "keyspace", "server");
        var memory = await server.CallAsync("INFO", "memory");
        var count = await server.CallAsync("COMMAND", "COUNT");
        var docs = await server.CallAsync("COMMAND", "DOCS", "get");

        Assert.Contains("id=1 addr=192.0.2.10:5000 ", list, StringComparison.Ordinal);
        Assert.Contains(" name=me ", list, StringComparison.Ordinal);
        Assert.Contains(" cmd=client ", list, StringComparison.Ordinal);
        Assert.Contains("# Server\r\nredis_version:7.0.15\r\n", info, StringComparison.Ordinal);
        Assert.DoesNotContain("# Keyspace\r\ndb0", info, StringComparison.Ordinal);
        Assert.Matches(@"\r\nfornax_gc_collections:gen0=\d+,gen1=\d+,gen2=\d+\r\nfornax_gc_pause_ms:\d+\r\n", memory);
        Assert.StartsWith(":", count, StringComparison.Ordinal);
        Assert.True(int.Parse(count[1..^2], System.Globalization.CultureInfo.InvariantCulture) > 80);
        Assert.Contains("Returns the string value of a key.", docs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stranger_MustAuth_AndAWrongPasswordChangesNothing()
    {
        await using var server = new RespTestServer(new OnePasswordAuthenticator("s3cret"));
        await RunAsync(
            server,
            ("GET k", "-NOAUTH Authentication required.\r\n"),
            ("HELLO 3", "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n"),
            ("AUTH nope", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
            ("SET k v", "-NOAUTH Authentication required.\r\n"),
            ("AUTH default s3cret", "+OK\r\n"),
            ("SET k v", "+OK\r\n"));
        await using var second = new RespTestServer(new OnePasswordAuthenticator("s3cret"), server.Store);
        Assert.StartsWith("%7\r\n", await second.CallAsync("HELLO", "3", "AUTH", "default", "s3cret"), StringComparison.Ordinal);
        Assert.Equal("$1\r\nv\r\n", await second.CallAsync("GET", "k"));
    }

    [Fact]
    public async Task Stranger_CannotSendBigCommandsBeforeAuth()
    {
        await using var server = new RespTestServer(new OnePasswordAuthenticator("s3cret"));

        await server.SendRawAsync("*11\r\n");

        Assert.Equal("-ERR Protocol error: unauthenticated multibulk length\r\n", await server.ReadReplyAsync());
        Assert.True(await server.ServerClosedAsync());
    }
}
