using System.Diagnostics.CodeAnalysis;

namespace Fornax.Store;

/// <summary>Throw helpers, so every message names the object and what is wrong in the same words.</summary>
internal static class StoreErrors
{
    [DoesNotReturn]
    public static void NotFound(ObjectKey key) =>
        throw new StoreException(StoreErrorReason.NotFound, $"{key} not found");

    [DoesNotReturn]
    public static void AlreadyExists(ObjectKey key) =>
        throw new StoreException(StoreErrorReason.AlreadyExists, $"{key} already exists");

    [DoesNotReturn]
    public static void Conflict(ObjectKey key, long expected, long current) =>
        throw new StoreException(
            StoreErrorReason.Conflict,
            $"{key}: resourceVersion {expected} is stale, current is {current}");

    /// <summary>A precondition on an object that is not there: it was deleted since that version was read.</summary>
    [DoesNotReturn]
    public static void ConflictMissing(ObjectKey key, long expected) =>
        throw new StoreException(
            StoreErrorReason.Conflict,
            $"{key}: resourceVersion {expected} is stale, the object no longer exists (deleted); apply it without a resourceVersion to create it again");

    [DoesNotReturn]
    public static void Invalid(string message) =>
        throw new StoreException(StoreErrorReason.Invalid, message);

    public static StoreException Gone(string message) => new(StoreErrorReason.Gone, message);
}
