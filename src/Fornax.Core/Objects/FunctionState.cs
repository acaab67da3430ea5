using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>
/// <c>spec.state</c> of a Function: the <c>Keyspace</c> objects (by name, in the function's namespace) whose keys the
/// guest may reach through the <c>fornax</c> host API, and whether it may write them. See docs/functions.md, "State".
/// </summary>
public sealed class FunctionState
{
    /// <summary>At most this many keyspaces: every KV call checks the key against each bound prefix.</summary>
    public const int MaxKeyspaces = 16;

    public List<string>? Keyspaces { get; set; }

    /// <summary><c>read</c> or <c>readwrite</c> (the default).</summary>
    public string? Access { get; set; }

    internal void Validate(ValidationContext context, string path)
    {
        if (Keyspaces is not { Count: > 0 } keyspaces)
        {
            context.Add(path + ".keyspaces", "required: the names of the Keyspace objects the function may use, e.g. [carts]");
        }
        else if (keyspaces.Count > MaxKeyspaces)
        {
            context.Add(path + ".keyspaces", $"{keyspaces.Count} keyspaces are more than the {MaxKeyspaces} a function may bind");
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < keyspaces.Count; i++)
            {
                var name = keyspaces[i];
                if (string.IsNullOrEmpty(name) || !Names.IsDnsSubdomain(name))
                {
                    context.Add($"{path}.keyspaces[{i}]", string.IsNullOrEmpty(name) ? "must not be empty: the name of a Keyspace object" : Names.WhyNotAName(name));
                }
                else if (!seen.Add(name))
                {
                    context.Add($"{path}.keyspaces[{i}]", $"\"{name}\" is listed twice");
                }
            }
        }

        if (Access is { } access && access is not (FunctionStateAccess.Read or FunctionStateAccess.ReadWrite))
        {
            context.Add(path + ".access", $"\"{access}\" is not one of {FunctionStateAccess.Read}, {FunctionStateAccess.ReadWrite}");
        }
    }
}

public static class FunctionStateAccess
{
    /// <summary>get, smembers, hget, hgetall only; a write traps.</summary>
    public const string Read = "read";

    /// <summary>Every call of the host API (the default).</summary>
    public const string ReadWrite = "readwrite";
}
