using System.Buffers.Binary;

namespace Fornax.Node.Locality;

/// <summary>
/// The read of one key (or hash field) of a keyspace from another site, over the link port (mutual TLS: only sites of
/// this tree): <c>POST /portal/kv/{namespace}/{keyspace}/{op}</c>, the body the key's length (4 bytes, little-endian),
/// the key, then the field. <see cref="Ops"/> are the reads of the <c>fornax</c> host API; the answer is the value in
/// that API's encoding (<c>smembers</c> and <c>hgetall</c> as <c>StateLists</c>).
/// </summary>
internal static class RemoteKeyReads
{
    public const string Route = "/portal/kv/{namespace}/{keyspace}/{op}";

    /// <summary>On a 404: the key (or field) does not exist there, as opposed to a refusal.</summary>
    public const string AbsentHeader = "Fornax-Kv-Absent";

    public static readonly string[] Ops = ["get", "hget", "smembers", "hgetall"];

    public static byte[] Body(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field)
    {
        var body = new byte[4 + key.Length + field.Length];
        BinaryPrimitives.WriteInt32LittleEndian(body, key.Length);
        key.CopyTo(body.AsSpan(4));
        field.CopyTo(body.AsSpan(4 + key.Length));
        return body;
    }

    /// <summary>Splits a body; false when it is not one (a length past the end).</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> field)
    {
        key = field = default;
        if (body.Length < 4 || BinaryPrimitives.ReadInt32LittleEndian(body) is var length && (uint)length > (uint)(body.Length - 4))
        {
            return false;
        }

        key = body.Slice(4, length);
        field = body[(4 + length)..];
        return true;
    }
}
