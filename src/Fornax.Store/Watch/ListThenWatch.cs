namespace Fornax.Store;

/// <summary>
/// The one way a controller follows objects of the store: list, then watch from the list's version. A watch that ends
/// with 410 Gone after delivering something (it fell behind the live buffer) resumes from the last version it
/// delivered, from the change log; one that is Gone before delivering anything (the log was compacted past it, or the
/// store was reset) lists again. Without this, a controller whose watch fell behind stopped reacting for good.
/// </summary>
public static class ListThenWatch
{
    /// <summary>
    /// Until <paramref name="ct"/> is cancelled (then it returns): <paramref name="onList"/> with every object of
    /// <paramref name="kind"/> (all kinds when null), then <paramref name="onChange"/> with each change after it, in order.
    /// With <paramref name="resumeFrom"/> it watches from that version first and lists only when that is Gone.
    /// <paramref name="onGone"/> is told why a watch ended with Gone, before it resumes or lists again (for a log line).
    /// </summary>
    public static async Task FollowAsync(
        this IObjectStore store,
        string? kind,
        Func<ObjectList, CancellationToken, Task> onList,
        Func<WatchEvent, CancellationToken, Task> onChange,
        CancellationToken ct,
        long? resumeFrom = null,
        Action<StoreException>? onGone = null)
    {
        var from = resumeFrom;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (from is not { } rv)
                {
                    var list = await store.ListAsync(kind, null, ct).ConfigureAwait(false);
                    rv = list.ResourceVersion;
                    from = rv;
                    await onList(list, ct).ConfigureAwait(false);
                }

                var delivered = false;
                try
                {
                    await foreach (var change in store.WatchAsync(rv, kind, null, ct).ConfigureAwait(false))
                    {
                        await onChange(change, ct).ConfigureAwait(false);
                        from = change.ResourceVersion;
                        delivered = true;
                    }
                }
                catch (StoreException e) when (e.Reason == StoreErrorReason.Gone)
                {
                    onGone?.Invoke(e);
                    if (!delivered)
                    {
                        from = null;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
