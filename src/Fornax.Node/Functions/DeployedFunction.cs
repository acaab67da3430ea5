using Fornax.Functions;
using Fornax.Store;

namespace Fornax.Node.Functions;

/// <summary>A function serving at this site: the stored object it came from and the engine's loaded module.</summary>
/// <param name="Key">The <c>Function</c> object.</param>
/// <param name="Generation">The object's generation that was loaded (status writes do not change it).</param>
/// <param name="Loaded">The engine's handle.</param>
/// <param name="Methods">Allowed methods (upper case), or null for any.</param>
/// <param name="Latency">Durations of admitted invocations, kept per name across reloads.</param>
/// <param name="Policy">Where its invocations may run (<c>spec.scheduling.policy</c>).</param>
/// <param name="OnDemand">Its <c>spec.scheduling.onDemand</c>: a spill may also go to the parent, which need not serve it yet.</param>
internal sealed record DeployedFunction(ObjectKey Key, long Generation, LoadedFunction Loaded, IReadOnlySet<string>? Methods, LatencyHistogram Latency,
    Fornax.Scheduling.SpillPolicy Policy = Fornax.Scheduling.SpillPolicy.Spill, bool OnDemand = false)
{
    /// <summary>The mission (and its generation) this site loaded the function from on demand; null when its own object deployed it.</summary>
    public OnDemandSource? OnDemandFrom { get; init; }

    public string Name => Key.Name;
}

/// <summary>Where a function loaded on demand came from: the mission that carries it, at the generation it was loaded from.</summary>
internal sealed record OnDemandSource(ObjectKey Mission, long Generation)
{
    public override string ToString() => $"{Mission.Namespace}/{Mission.Name}";
}
