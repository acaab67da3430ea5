using System.Text.Json.Serialization;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>A WebAssembly function, invoked over HTTP at every site it is deployed to.</summary>
public sealed class Function : FornaxObject<FunctionSpec, FunctionStatus>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override string Kind => "Function";

    internal override void ValidateBody(ValidationContext context)
    {
        if (string.IsNullOrWhiteSpace(Spec.Module))
        {
            context.Add("spec.module", "required: a path to a .wasm file, or a blob digest sha256:<hex>");
        }

        if (Spec.Abi is { } abi && abi is not (FunctionAbis.Wagi or FunctionAbis.Raw))
        {
            context.Add("spec.abi", $"\"{abi}\" is not one of {FunctionAbis.Wagi}, {FunctionAbis.Raw}");
        }

        if (Spec.Limits is { } limits)
        {
            if (limits.MemoryMiB is { } mib && (mib < 1 || mib > 4096))
            {
                context.Add("spec.limits.memoryMiB", $"{mib} is not between 1 and 4096");
            }

            if (limits.Timeout is { } timeout && (!Durations.TryParse(timeout, out var span) || span <= TimeSpan.Zero))
            {
                context.Add("spec.limits.timeout", $"\"{timeout}\" is not a positive duration like 500ms or 5s");
            }

            if (limits.Fuel is { } fuel && fuel <= 0)
            {
                context.Add("spec.limits.fuel", $"{fuel} is not a positive number");
            }
        }

        if (Spec.Scale?.MaxConcurrency is { } max && max < 1)
        {
            context.Add("spec.scale.maxConcurrency", $"{max} is not a positive number");
        }

        Spec.State?.Validate(context, "spec.state");

        if (Spec.Scheduling?.Policy is { } policy && !FunctionSchedulingPolicies.All.Contains(policy))
        {
            context.Add("spec.scheduling.policy", $"\"{policy}\" is not one of {string.Join(", ", FunctionSchedulingPolicies.All)}");
        }

        if (Spec.Scheduling is { OnDemand: true, Policy: FunctionSchedulingPolicies.Local })
        {
            context.Add("spec.scheduling.onDemand", "true needs policy spill or cloud: with policy local an invocation never leaves the site that received it");
        }

        var methods = Spec.Triggers?.Http?.Methods ?? [];
        for (var i = 0; i < methods.Count; i++)
        {
            if (!HttpMethods.Contains(methods[i].ToUpperInvariant()))
            {
                context.Add($"spec.triggers.http.methods[{i}]", $"\"{methods[i]}\" is not an HTTP method");
            }
        }
    }

    private static readonly HashSet<string> HttpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
}

public static class FunctionAbis
{
    /// <summary>CGI over WASI stdin/stdout/environment (the WAGI convention).</summary>
    public const string Wagi = "wagi";

    /// <summary>An exported handler with a guest allocator: the copy-light fast path.</summary>
    public const string Raw = "raw";
}

public sealed class FunctionSpec
{
    /// <summary>A path to a <c>.wasm</c> file (relative to the applied file) or, once stored, its blob digest.</summary>
    public string? Module { get; set; }

    public string? Abi { get; set; }

    public FunctionTriggers? Triggers { get; set; }

    public FunctionLimits? Limits { get; set; }

    [JsonConverter(typeof(LenientStringMapConverter))]
    public Dictionary<string, string>? Env { get; set; }

    public FunctionScale? Scale { get; set; }

    /// <summary>The KV keyspaces the function may use through the <c>fornax</c> host API; null: none.</summary>
    public FunctionState? State { get; set; }

    /// <summary>Where invocations may run when this site is overloaded; null: the default policy (<c>spill</c>).</summary>
    public FunctionScheduling? Scheduling { get; set; }
}

/// <summary><c>spec.scheduling</c> of a Function (docs/functions.md, "Spill-out").</summary>
public sealed class FunctionScheduling
{
    /// <summary>One of <see cref="FunctionSchedulingPolicies.All"/>; null: <c>spill</c>.</summary>
    public string? Policy { get; set; }

    /// <summary>
    /// True: a spilled invocation may also go to the parent, which loads the function from the mission it relays (its
    /// blob is stored there) although the mission does not select it. Null or false: only to sites that serve it.
    /// </summary>
    public bool? OnDemand { get; set; }
}

public static class FunctionSchedulingPolicies
{
    /// <summary>Always at the site that received the request.</summary>
    public const string Local = "local";

    /// <summary>Here while the site keeps up; under overload at a sibling, then the parent, then further up.</summary>
    public const string Spill = "spill";

    /// <summary>At the highest site above that serves the function.</summary>
    public const string Cloud = "cloud";

    public static readonly IReadOnlyList<string> All = [Local, Spill, Cloud];
}

public sealed class FunctionTriggers
{
    public HttpTrigger? Http { get; set; }
}

public sealed class HttpTrigger
{
    public string? Path { get; set; }

    public List<string>? Methods { get; set; }
}

public sealed class FunctionLimits
{
    public int? MemoryMiB { get; set; }

    public string? Timeout { get; set; }

    public long? Fuel { get; set; }
}

public sealed class FunctionScale
{
    public int? MaxConcurrency { get; set; }
}

public sealed class FunctionStatus
{
    public string? Digest { get; set; }

    public string? Phase { get; set; }

    public string? Message { get; set; }
}
