namespace Fornax.Store;

/// <summary>How far a write must have reached the disk when its task completes.</summary>
public enum WriteDurability
{
    /// <summary>
    /// On disk: the commit fsyncs the write-ahead log (<c>synchronous=FULL</c>), so the write survives <c>kill -9</c>,
    /// an OS crash and a power cut. The default, and the only choice for anything acknowledged to a user.
    /// </summary>
    Durable,

    /// <summary>
    /// For derived state a caller rebuilds after a restart (state roll-ups from children, <c>Site</c> objects from
    /// heartbeats): when its group commit holds only relaxed writes, the commit does not fsync
    /// (<c>synchronous=NORMAL</c>). The write is in the log in the OS page cache, so it survives <c>kill -9</c> of the
    /// process; an OS crash or power cut before the next durable commit (whose fsync covers it) can lose it.
    /// </summary>
    Relaxed,
}
