namespace Fornax.Kv.Resp;

/// <summary>
/// The arguments of commands, copied into one growing byte array (offsets kept beside), so parsing a command allocates
/// nothing once the arena has grown to the connection's usual command size. It grows as bytes arrive, never by what a
/// bulk header claims, so a peer announcing 512 MiB and sending nothing costs nothing.
/// </summary>
internal sealed class ArgArena
{
    /// <summary>An arena grown past this by one large command is dropped afterwards rather than kept for the connection's life.</summary>
    private const int RetainedBytes = 64 * 1024;

    private byte[] _bytes = [];
    private int _used;
    private int[] _starts = new int[8];
    private int[] _lengths = new int[8];

    public int Count { get; private set; }

    public int BytesUsed => _used;

    public ReadOnlySpan<byte> this[int index] => _bytes.AsSpan(_starts[index], _lengths[index]);

    public RespArgs All => new(this, 0, Count);

    public void Clear()
    {
        Count = 0;
        _used = 0;
        if (_bytes.Length > RetainedBytes)
        {
            _bytes = [];
        }
    }

    public void StartArg()
    {
        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
        }

        _starts[Count] = _used;
        _lengths[Count] = 0;
        Count++;
    }

    /// <summary>Appends to the argument started last.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_used + bytes.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(Math.Max(256, _bytes.Length * 2), _used + bytes.Length));
        }

        bytes.CopyTo(_bytes.AsSpan(_used));
        _used += bytes.Length;
        _lengths[Count - 1] += bytes.Length;
    }

    public void Add(ReadOnlySpan<byte> arg)
    {
        StartArg();
        Append(arg);
    }
}

/// <summary>A command's arguments (index 0 is the command name), a view over an <see cref="ArgArena"/>.</summary>
internal readonly struct RespArgs(ArgArena arena, int first, int count)
{
    public int Count => count;

    public ReadOnlySpan<byte> this[int index] => arena[first + index];

    /// <summary>Arguments from <paramref name="start"/> on.</summary>
    public RespArgs From(int start) => new(arena, first + start, count - start);

    public bool Is(int index, ReadOnlySpan<byte> upperAscii) => RespText.EqualsIgnoreCase(this[index], upperAscii);

    public string String(int index) => System.Text.Encoding.UTF8.GetString(this[index]);

    public byte[] Copy(int index) => this[index].ToArray();
}
