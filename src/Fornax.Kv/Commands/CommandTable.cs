using System.Collections.Frozen;

namespace Fornax.Kv.Commands;

/// <summary>
/// Every command the server knows, looked up by name without allocating: the name's bytes are upper-cased into a
/// stack buffer of chars and found through the frozen dictionary's span lookup.
/// </summary>
internal static class CommandTable
{
    /// <summary>Longer than any command name; a longer name is unknown without looking.</summary>
    private const int MaxNameLength = 32;

    public static readonly FrozenDictionary<string, RespCommand> All = Build(out StatNames);

    /// <summary>The names INFO commandstats reports, by slot: each command, then its subcommands as <c>name|sub</c>.</summary>
    public static readonly string[] StatNames;

    private static readonly FrozenDictionary<string, RespCommand>.AlternateLookup<ReadOnlySpan<char>> ByName =
        All.GetAlternateLookup<ReadOnlySpan<char>>();

    public static RespCommand? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length > MaxNameLength)
        {
            return null;
        }

        Span<char> upper = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            upper[i] = (char)(b is >= (byte)'a' and <= (byte)'z' ? b - 32 : b);
        }

        return ByName.TryGetValue(upper, out var command) ? command : null;
    }

    private static FrozenDictionary<string, RespCommand> Build(out string[] statNames)
    {
        var commands = new List<RespCommand>();
        ConnectionCommands.Register(commands);
        ServerCommands.Register(commands);
        SaveCommands.Register(commands);
        TransactionCommands.Register(commands);
        KeyCommands.Register(commands);
        WaitCommand.Register(commands);
        IntrospectionCommands.Register(commands);
        SlowlogCommand.Register(commands);
        LatencyCommand.Register(commands);
        StringCommands.Register(commands);
        HashCommands.Register(commands);
        SetCommands.Register(commands);
        PubSubCommands.Register(commands);
        UnsupportedCommands.Register(commands);
        var names = new List<string>();
        for (var i = 0; i < commands.Count; i++)
        {
            commands[i] = commands[i] with { StatsSlot = names.Count };
            names.Add(commands[i].Name);
            names.AddRange(commands[i].Subcommands.Select(sub => commands[i].Name + "|" + sub));
        }

        statNames = [.. names];
        return commands.ToFrozenDictionary(c => c.Name.ToUpperInvariant(), StringComparer.Ordinal);
    }
}
