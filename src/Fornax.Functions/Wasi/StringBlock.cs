using System.Text;

namespace Fornax.Functions.Wasi;

/// <summary>
/// A list of strings laid out the way WASI's <c>environ_get</c>/<c>args_get</c> hand them to the guest: UTF-8, each
/// NUL-terminated, back to back in one buffer, with the offset of each, so serving the guest is one copy of
/// <see cref="Bytes"/> plus a pointer per string. A block made by <see cref="Of"/> or <see cref="OfVariables"/> never
/// changes and may be shared; a block made with <see cref="Reusable"/> is one request's, rewritten by
/// <see cref="Rewrite"/> for the next request on the same thread (see <see cref="InvocationContext"/>), so building a
/// request's environment allocates nothing once its buffers have grown to size.
/// </summary>
internal sealed class StringBlock
{
    public static readonly StringBlock Empty = new([], []);

    private readonly bool _reusable;
    private byte[] _bytes;
    private int[] _offsets;
    private int _length;
    private int _count;

    /// <summary>Takes <paramref name="bytes"/> (NUL-terminated strings) and where each starts, as they are.</summary>
    internal StringBlock(byte[] bytes, int[] offsets)
    {
        _bytes = bytes;
        _offsets = offsets;
        _length = bytes.Length;
        _count = offsets.Length;
    }

    private StringBlock()
    {
        _reusable = true;
        _bytes = [];
        _offsets = [];
    }

    /// <summary>An empty block whose buffers <see cref="Rewrite"/> refills.</summary>
    public static StringBlock Reusable() => new();

    /// <summary>All strings, each followed by a NUL byte.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

    /// <summary>Where each string starts in <see cref="Bytes"/>.</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, _count);

    public int Count => _count;

    /// <summary>Empties a reusable block to exactly <paramref name="size"/> bytes and <paramref name="count"/> offsets, for the caller to fill.</summary>
    public void Rewrite(int size, int count)
    {
        if (!_reusable) throw new InvalidOperationException("a shared StringBlock cannot be rewritten");
        if (_bytes.Length < size) _bytes = new byte[Math.Max(size, _bytes.Length * 2)];
        if (_offsets.Length < count) _offsets = new int[Math.Max(count, _offsets.Length * 2)];
        _length = size;
        _count = count;
    }

    /// <summary>The bytes of a block being rewritten, to fill.</summary>
    public Span<byte> WritableBytes => _reusable ? _bytes.AsSpan(0, _length) : throw new InvalidOperationException("a shared StringBlock cannot be rewritten");

    /// <summary>The offsets of a block being rewritten, to fill.</summary>
    public Span<int> WritableOffsets => _reusable ? _offsets.AsSpan(0, _count) : throw new InvalidOperationException("a shared StringBlock cannot be rewritten");

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
    public IEnumerable<string> Strings()
    {
        var bytes = Bytes.ToArray();
        var offsets = Offsets.ToArray();
        return offsets.Select((start, i) => Encoding.UTF8.GetString(bytes, start, (i + 1 < offsets.Length ? offsets[i + 1] : bytes.Length) - start - 1));
    }
}
