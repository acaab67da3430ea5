using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Hierarchy.Links;

/// <summary>One link stream's side of the portal map: sends the changes the exchange has for the peer, as they happen.</summary>
internal static class PortalMapStream
{
    /// <summary>Until <paramref name="ct"/>: everything once, then each change (<paramref name="changes"/> gives them after a version).</summary>
    public static async Task RunAsync(IPortalMapExchange exchange, PortalMapChanges changes, Func<PortalMap, Task> send, CancellationToken ct)
    {
        long sent = 0;
        while (!ct.IsCancellationRequested)
        {
            if (changes(sent, out var upTo) is { } map)
            {
                await send(map);
            }

            sent = upTo;
            await exchange.WaitForChangeAsync(sent, ct);
        }
    }
}

/// <summary>The changes after <paramref name="since"/> meant for one peer, and the version they reach.</summary>
internal delegate PortalMap? PortalMapChanges(long since, out long upTo);
