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
internal sealed record DeployedFunction(ObjectKey Key, long Generation, LoadedFunction Loaded, IReadOnlySet<string>? Methods, LatencyHistogram Latency,
    Fornax.Scheduling.SpillPolicy Policy = Fornax.Scheduling.SpillPolicy.Spill)
{
    public string Name => Key.Name;
}
