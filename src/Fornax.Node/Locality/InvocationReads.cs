namespace Fornax.Node.Locality;

/// <summary>One keyspace a function binds, as one invocation sees it: held here, or read from <see cref="ReadFrom"/>.</summary>
internal sealed record BoundKeyspace(string Namespace, string Name, byte[] Prefix, bool Held)
{
    /// <summary>The site this invocation reads the keyspace from over the link; null: the local store.</summary>
    public string? ReadFrom { get; init; }

    public string Id => $"{Namespace}/{Name}";
}

/// <summary>
/// One invocation's reads of its keyspaces: where each keyspace is read from, and the reads and bytes counted (the sizes
/// the locality choice learns from). Set for the invocation by the function ingress; the guest runs on the ingress's
/// thread, so the host calls see it (<see cref="Current"/>).
/// </summary>
internal sealed class InvocationReads(IReadOnlyList<BoundKeyspace> keyspaces)
{
    private static readonly AsyncLocal<InvocationReads?> s_current = new();

    public static InvocationReads? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    public IReadOnlyList<BoundKeyspace> Keyspaces { get; } = keyspaces;

    public int Reads { get; private set; }

    public long ReadBytes { get; private set; }

    private (string Op, byte[] Key, byte[] Field)? _last;

    /// <summary>
    /// The value of the last read when it came over the link, kept for the guest's second call with a larger buffer (a
    /// read returns the length when the value does not fit): that call is answered from here, not read again.
    /// </summary>
    public byte[]? LastRemoteValue { get; set; }

    /// <summary>
    /// True when this read repeats the one before (the guest asking again with a larger buffer), which is then not
    /// counted again; otherwise it becomes the last read and <see cref="LastRemoteValue"/> is cleared.
    /// </summary>
    public bool Repeats(string op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field)
    {
        if (_last is { } last && last.Op == op && key.SequenceEqual(last.Key) && field.SequenceEqual(last.Field))
        {
            return true;
        }

        _last = (op, key.ToArray(), field.ToArray());
        LastRemoteValue = null;
        return false;
    }

    public BoundKeyspace? Find(ReadOnlySpan<byte> key)
    {
        foreach (var keyspace in Keyspaces)
        {
            if (key.StartsWith(keyspace.Prefix))
            {
                return keyspace;
            }
        }

        return null;
    }

    public void Count(long bytes)
    {
        Reads++;
        ReadBytes += Math.Max(0, bytes);
    }
}
