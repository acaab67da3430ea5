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

    [DoesNotReturn]
    public static void Invalid(string message) =>
        throw new StoreException(StoreErrorReason.Invalid, message);

    public static StoreException Gone(string message) => new(StoreErrorReason.Gone, message);
}
