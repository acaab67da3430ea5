namespace Fornax.Store;

/// <summary>Why a store operation failed, in Kubernetes terms, so the HTTP layer can map it to a status code.</summary>
public enum StoreErrorReason
{
    /// <summary>The object does not exist (404).</summary>
    NotFound,

    /// <summary>An object with the same key already exists (409).</summary>
    AlreadyExists,

    /// <summary>A resourceVersion precondition did not hold (409).</summary>
    Conflict,

    /// <summary>The requested resourceVersion is no longer (or not yet) in the watch history; re-list (410).</summary>
    Gone,

    /// <summary>The input is malformed: missing kind or metadata.name, bad digest, ... (422).</summary>
    Invalid,

    /// <summary>The disk (or the configured database quota) is full; nothing was written (507).</summary>
    StorageFull,

    /// <summary>The data directory is in use by another store instance or process.</summary>
    Locked,
}
