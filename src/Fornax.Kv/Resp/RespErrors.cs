namespace Fornax.Kv.Resp;

/// <summary>Redis 7's error texts that several commands share (server.c, t_string.c, db.c).</summary>
internal static class RespErrors
{
    public const string NoAuth = "NOAUTH Authentication required.";
    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
    public const string Syntax = "ERR syntax error";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string NoSuchKey = "ERR no such key";
    public const string InvalidCursor = "ERR invalid cursor";
    public const string OutOfRange = "ERR index out of range";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string NotPositive = "ERR value is out of range, must be positive";

    /// <summary>SRANDMEMBER's and HRANDFIELD's count of -2^63 (one that cannot be negated), in Redis's words.</summary>
    public const string CountOutOfRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    public static string WrongArity(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string InvalidExpire(string command) => $"ERR invalid expire time in '{command}' command";

    public static string UnknownSubcommand(string subcommand, string command) =>
        $"ERR unknown subcommand '{(subcommand.Length > 128 ? subcommand[..128] : subcommand)}'. Try {command} HELP.";
}
