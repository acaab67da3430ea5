namespace Fornax.Hierarchy.Links;

/// <summary>
/// One link stream's side of a versioned exchange (the portal map, the KV figures): sends the changes the exchange has
/// for the peer, as they happen.
/// </summary>
internal static class ChangeStream
{
    /// <summary>Until <paramref name="ct"/>: everything once, then each change (<paramref name="changes"/> gives them after a version).</summary>
    public static async Task RunAsync<T>(Func<long, CancellationToken, Task> waitForChange, ChangesAfter<T> changes, Func<T, Task> send, CancellationToken ct)
        where T : class
    {
        long sent = 0;
        while (!ct.IsCancellationRequested)
        {
            if (changes(sent, out var upTo) is { } message)
            {
                await send(message);
            }

            sent = upTo;
            await waitForChange(sent, ct);
        }
    }
}

/// <summary>The changes after <paramref name="since"/> meant for one peer, and the version they reach.</summary>
internal delegate T? ChangesAfter<T>(long since, out long upTo)
    where T : class;
