namespace Fornax.Scheduling;

/// <summary><c>spec.scheduling.policy</c> of a Function: where its invocations may run.</summary>
public enum SpillPolicy
{
    /// <summary>Always at the site that received the request.</summary>
    Local,

    /// <summary>Here while this site keeps up; under overload at a sibling, then the parent, then further up (the default).</summary>
    Spill,

    /// <summary>At the highest site above this one that serves the function (the cloud when it does).</summary>
    Cloud,
}

public static class SpillPolicies
{
    /// <summary>The policy a spec value names (<see cref="Fornax.Core.Objects.FunctionSchedulingPolicies"/>); null is the default, spill; false for an unknown value.</summary>
    public static bool TryParse(string? value, out SpillPolicy policy)
    {
        (var ok, policy) = value switch
        {
            null or Fornax.Core.Objects.FunctionSchedulingPolicies.Spill => (true, SpillPolicy.Spill),
            Fornax.Core.Objects.FunctionSchedulingPolicies.Local => (true, SpillPolicy.Local),
            Fornax.Core.Objects.FunctionSchedulingPolicies.Cloud => (true, SpillPolicy.Cloud),
            _ => (false, SpillPolicy.Spill),
        };
        return ok;
    }
}
