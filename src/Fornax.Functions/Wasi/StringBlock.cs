using System.Text;

namespace Fornax.Functions.Wasi;

/// <summary>
/// A list of strings laid out the way WASI's <c>environ_get</c>/<c>args_get</c> hand them to the guest: UTF-8, each
/// NUL-terminated, back to back in one buffer, with the offset of each. Encoded once per request in a single allocation,
/// so serving the guest is one copy of <see cref="Bytes"/> plus a pointer per string.
/// </summary>
internal sealed class StringBlock
{
    public static readonly StringBlock Empty = new([], []);

    /// <summary>Takes <paramref name="bytes"/> (NUL-terminated strings) and where each starts, as they are.</summary>
    internal StringBlock(byte[] bytes, int[] offsets)
    {
        Bytes = bytes;
        Offsets = offsets;
    }

    /// <summary>All strings, each followed by a NUL byte.</summary>
    public byte[] Bytes { get; }

    /// <summary>Where each string starts in <see cref="Bytes"/>.</summary>
    public int[] Offsets { get; }

    public int Count => Offsets.Length;

    /// <summary>Plain strings (argv).</summary>
    public static StringBlock Of(params string[] values)
    {
        var size = 0;
        foreach (var v in values) size += Encoding.UTF8.GetByteCount(v) + 1;
        var bytes = new byte[size];
        var offsets = new int[values.Length];
        var at = 0;
        for (var i = 0; i < values.Length; i++)
        {
            offsets[i] = at;
            at += Encoding.UTF8.GetBytes(values[i], bytes.AsSpan(at)) + 1;
        }

        return new StringBlock(bytes, offsets);
    }

    /// <summary><c>NAME=value</c> strings (the environment).</summary>
    public static StringBlock OfVariables(IReadOnlyList<(string Name, string Value)> variables)
    {
        var size = 0;
        foreach (var (name, value) in variables) size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + 2;
        var bytes = new byte[size];
        var offsets = new int[variables.Count];
        var at = 0;
        for (var i = 0; i < variables.Count; i++)
        {
            offsets[i] = at;
            at += Encoding.UTF8.GetBytes(variables[i].Name, bytes.AsSpan(at));
            bytes[at++] = (byte)'=';
            at += Encoding.UTF8.GetBytes(variables[i].Value, bytes.AsSpan(at)) + 1;
        }

        return new StringBlock(bytes, offsets);
    }

    /// <summary>The strings back, without their NULs (for tests and diagnostics).</summary>
    public IEnumerable<string> Strings() =>
        Offsets.Select((start, i) => Encoding.UTF8.GetString(Bytes, start, (i + 1 < Offsets.Length ? Offsets[i + 1] : Bytes.Length) - start - 1));
}
