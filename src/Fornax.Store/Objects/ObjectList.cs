namespace Fornax.Store;

/// <summary>
/// A consistent snapshot of objects. <see cref="ResourceVersion"/> is the store's version at the
/// snapshot: watch from it to see every change after the list.
/// </summary>
public sealed record ObjectList(long ResourceVersion, IReadOnlyList<StoredObject> Items);
