namespace Fornax.Kv.Engine;

/// <summary>
/// A command the engine refuses. <see cref="Exception.Message"/> is the exact Redis error text without the leading
/// <c>-</c>, e.g. <c>WRONGTYPE Operation against a key holding the wrong kind of value</c> or
/// <c>ERR value is not an integer or out of range</c>; the RESP layer writes it as is. Nothing was changed.
/// </summary>
public sealed class KvException(string message) : Exception(message)
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string HashNotInteger = "ERR hash value is not an integer";
    public const string HashNotFloat = "ERR hash value is not a float";
    public const string NaNOrInfinity = "ERR increment would produce NaN or Infinity";
    public const string ReadOnly = "READONLY the site's disk is full or read-only; writes are refused";
}
