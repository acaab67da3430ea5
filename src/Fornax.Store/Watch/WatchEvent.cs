namespace Fornax.Store;

/// <summary>
/// One committed change. For <see cref="WatchEventType.Deleted"/>, <see cref="Object"/> is the last
/// state of the object, stamped with the deletion's resourceVersion.
/// </summary>
public sealed record WatchEvent(WatchEventType Type, long ResourceVersion, StoredObject Object);
