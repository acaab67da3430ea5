using System.Text.RegularExpressions;
using Fornax.Core.Objects;
using Fornax.Core.Validation;
using Fornax.Functions;
using Fornax.Functions.State;

namespace Fornax.Node.Functions;

/// <summary>Maps a stored <c>Function</c> object onto what the engine loads, with field-named errors.</summary>
internal static partial class FunctionSpecs
{
    public static bool IsDigest(string? module) => module is not null && DigestPattern().IsMatch(module);

    /// <summary>
    /// The engine's definition of <paramref name="function"/>, or the field errors (added to <paramref name="errors"/>,
    /// under <paramref name="prefix"/>) that stop it from running at a site whose runtime has <paramref name="runtime"/>.
    /// </summary>
    public static FunctionDefinition? ToDefinition(Function function, FunctionRuntimeOptions runtime, ValidationContext errors, string prefix = "")
    {
        var spec = function.Spec;
        var before = errors.Count;
        if (!IsDigest(spec.Module))
        {
            errors.Add(prefix + "spec.module", $"\"{spec.Module}\" is not a blob digest sha256:<64 hex digits>; apply with the fornax CLI, which uploads the file and sets the digest");
        }

        long? memory = null;
        if (spec.Limits?.MemoryMiB is { } mib)
        {
            memory = mib * 1024L * 1024L;
            if (memory > runtime.MaxMemoryBytes)
            {
                errors.Add(prefix + "spec.limits.memoryMiB", $"{mib} is over this site's ceiling of {runtime.MaxMemoryBytes / (1024 * 1024)} MiB");
            }
        }

        TimeSpan? timeout = null;
        if (spec.Limits?.Timeout is { } text && Durations.TryParse(text, out var parsed))
        {
            timeout = parsed;
        }

        if (errors.Count > before)
        {
            return null;
        }

        var abi = spec.Abi == FunctionAbis.Raw ? FunctionAbi.Raw : FunctionAbi.Wagi;
        var limits = new Fornax.Functions.FunctionLimits(memory, timeout, spec.Scale?.MaxConcurrency, spec.Limits?.Fuel is { } fuel ? (ulong)fuel : null);
        var state = spec.State is { Keyspaces: { } keyspaces } bound
            ? new FunctionStateBinding(function.Metadata.NamespaceOrDefault, [.. keyspaces], bound.Access == FunctionStateAccess.Read)
            : null;
        return new FunctionDefinition(function.Metadata.Name, abi, spec.Env, limits, spec.Module, State: state);
    }

    /// <summary>The methods <c>spec.triggers.http.methods</c> allows (upper case), or null when it allows every method.</summary>
    public static IReadOnlySet<string>? Methods(Function function) =>
        function.Spec.Triggers?.Http?.Methods is { Count: > 0 } methods
            ? methods.Select(m => m.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal)
            : null;

    /// <summary><c>spec.scheduling.policy</c>; a value the API would have refused (an older object) is the default, spill.</summary>
    public static Fornax.Scheduling.SpillPolicy Policy(Function function) =>
        Fornax.Scheduling.SpillPolicies.TryParse(function.Spec.Scheduling?.Policy, out var policy) ? policy : Fornax.Scheduling.SpillPolicy.Spill;

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();
}
