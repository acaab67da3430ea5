namespace Fornax.Functions.State;

/// <summary>
/// The keyspaces a function may reach through the <c>fornax</c> host API (its <c>spec.state</c>): KV keys that start
/// with the prefix of one of them, read-only or read-write. Names are resolved to prefixes by the site's
/// <see cref="IFunctionStateStore"/> at the first KV call of each invocation, so a Keyspace that arrives after its
/// function (or changes its prefix) takes effect at the next request.
/// </summary>
/// <param name="Namespace">The function's namespace: the Keyspace objects are looked up in it.</param>
/// <param name="Keyspaces">Keyspace names, as <c>spec.state.keyspaces</c> lists them.</param>
/// <param name="ReadOnly">True for <c>access: read</c>: every write traps.</param>
public sealed record FunctionStateBinding(string Namespace, IReadOnlyList<string> Keyspaces, bool ReadOnly);
