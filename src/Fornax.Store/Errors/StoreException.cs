namespace Fornax.Store;

/// <summary>
/// The one exception family of the store. <see cref="Reason"/> says what went wrong and
/// <see cref="StatusCode"/> the HTTP status the API layer should answer with.
/// </summary>
public sealed class StoreException : Exception
{
    public StoreException(StoreErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>What went wrong.</summary>
    public StoreErrorReason Reason { get; }

    /// <summary>The HTTP status code that corresponds to <see cref="Reason"/>.</summary>
    public int StatusCode => Reason switch
    {
        StoreErrorReason.NotFound => 404,
        StoreErrorReason.AlreadyExists => 409,
        StoreErrorReason.Conflict => 409,
        StoreErrorReason.Gone => 410,
        StoreErrorReason.Invalid => 422,
        StoreErrorReason.StorageFull => 507,
        // A locked data directory is a deployment problem of this site, not of the request.
        StoreErrorReason.Locked => 503,
        _ => 500,
    };
}
