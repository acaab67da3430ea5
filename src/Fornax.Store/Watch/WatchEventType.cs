namespace Fornax.Store;

/// <summary>The kind of change a <see cref="WatchEvent"/> reports.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
}
