namespace Fornax.Functions.State;

/// <summary>
/// One invocation's use of the KV store: the function's binding with its keyspaces resolved to prefixes (at the first
/// call), the check of every key against them, and the writes whose durability the response must wait for.
/// </summary>
internal sealed class StateSession(string function, FunctionStateBinding binding, IFunctionStateStore store, FunctionRuntimeOptions options)
{
    private byte[]?[]? _prefixes;

    public IFunctionStateStore Store { get; } = store;
    public FunctionRuntimeOptions Options { get; } = options;

    /// <summary>Completes when every write of this invocation is durable; null when none waits.</summary>
    public Task? PendingDurable { get; private set; }

    public void Wrote(Task? durable)
    {
        if (durable is null || durable.IsCompletedSuccessfully) return;
        PendingDurable = PendingDurable is null ? durable : Task.WhenAll(PendingDurable, durable);
    }

    /// <summary>Throws <see cref="StateViolation"/> unless <paramref name="key"/> lies in a bound keyspace (and, for a write, the binding allows writes).</summary>
    public void Check(string call, ReadOnlySpan<byte> key, bool write)
    {
        _prefixes ??= Resolve();
        for (var i = 0; i < _prefixes.Length; i++)
        {
            if (_prefixes[i] is { } prefix && key.StartsWith(prefix))
            {
                if (write && binding.ReadOnly)
                    throw new StateViolation($"fornax.{call}: key {Show(key)} is in keyspace {binding.Keyspaces[i]}, which function '{function}' binds read-only (spec.state.access: read)");
                return;
            }
        }

        throw new StateViolation($"fornax.{call}: key {Show(key)} is outside the state binding of function '{function}' (spec.state.keyspaces: {Describe()})");
    }

    private byte[]?[] Resolve()
    {
        var prefixes = new byte[]?[binding.Keyspaces.Count];
        for (var i = 0; i < prefixes.Length; i++) prefixes[i] = Store.Prefix(binding.Namespace, binding.Keyspaces[i]);
        return prefixes;
    }

    /// <summary><c>visits "visits:", carts (no such Keyspace at this site)</c>.</summary>
    private string Describe() => string.Join(", ", binding.Keyspaces.Select((name, i) =>
        _prefixes![i] is { } prefix ? $"{name} {Show(prefix)}" : $"{name} (no such Keyspace at this site)"));

    /// <summary>A key for a message (<see cref="StateText.Show"/>).</summary>
    internal static string Show(ReadOnlySpan<byte> key) => StateText.Show(key);
}

/// <summary>A call the guest may not make (outside its binding, out of its memory, over a limit): the guest traps with the message.</summary>
internal sealed class StateViolation(string message) : Exception(message);
