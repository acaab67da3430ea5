namespace Fornax.Store;

/// <summary>Opens object stores.</summary>
public static class ObjectStore
{
    /// <summary>
    /// Opens (creating if needed) the store in <see cref="ObjectStoreOptions.DataDirectory"/> and
    /// takes its lock; throws Locked when another instance or process holds it.
    /// </summary>
    public static IObjectStore Open(ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return SqliteObjectStore.Open(options);
    }
}
