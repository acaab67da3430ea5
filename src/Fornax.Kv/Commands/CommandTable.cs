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

    public static readonly FrozenDictionary<string, RespCommand> All = Build();

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

    private static FrozenDictionary<string, RespCommand> Build()
    {
        var commands = new List<RespCommand>();
        ConnectionCommands.Register(commands);
        ServerCommands.Register(commands);
        SaveCommands.Register(commands);
        TransactionCommands.Register(commands);
        KeyCommands.Register(commands);
        IntrospectionCommands.Register(commands);
        StringCommands.Register(commands);
        HashCommands.Register(commands);
        SetCommands.Register(commands);
        UnsupportedCommands.Register(commands);
        return commands.ToFrozenDictionary(c => c.Name.ToUpperInvariant(), StringComparer.Ordinal);
    }
}
