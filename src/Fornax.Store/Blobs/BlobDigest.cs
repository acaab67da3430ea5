using System.Security.Cryptography;

namespace Fornax.Store;

/// <summary>Digests as the blob store names them: <c>sha256:</c> followed by 64 lowercase hex digits.</summary>
public static class BlobDigest
{
    public const string Prefix = "sha256:";

    private const int HexLength = 64;

    /// <summary>The digest of <paramref name="content"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> content) => Format(SHA256.HashData(content));

    /// <summary>True when <paramref name="digest"/> is well-formed (it may still not be stored).</summary>
    public static bool IsValid(string? digest)
    {
        if (digest is null || digest.Length != Prefix.Length + HexLength || !digest.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        foreach (var c in digest.AsSpan(Prefix.Length))
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
                return false;
        }
        return true;
    }

    internal static string Format(ReadOnlySpan<byte> hash) => Prefix + Convert.ToHexStringLower(hash);

    /// <summary>Returns the hex part of a well-formed digest, or throws StoreException(Invalid).</summary>
    internal static string Hex(string digest)
    {
        if (!IsValid(digest))
            StoreErrors.Invalid($"blob digest \"{digest}\" is not sha256: followed by 64 lowercase hex digits");
        return digest[Prefix.Length..];
    }
}
