using System.Text;

namespace Fornax.Node.Api.Kube;

/// <summary>The protocol-buffer wire format, as far as a document of strings and nested messages needs it.</summary>
internal sealed class ProtoWriter
{
    // A List, not a MemoryStream: nothing to dispose, and documents are a few kilobytes.
    private readonly List<byte> _buffer = [];

    /// <summary>A string field (wire type 2); null and empty are omitted, as proto3 omits defaults.</summary>
    public void String(int field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Bytes(field, Encoding.UTF8.GetBytes(value));
        }
    }

    /// <summary>A nested message (wire type 2), written by <paramref name="write"/>.</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        var nested = new ProtoWriter();
        write(nested);
        Bytes(field, nested.ToArray());
    }

    public byte[] ToArray() => [.. _buffer];

    private void Bytes(int field, byte[] bytes)
    {
        Varint((ulong)((field << 3) | 2));
        Varint((ulong)bytes.Length);
        _buffer.AddRange(bytes);
    }

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.Add((byte)value);
    }
}
