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

    private (string Op, byte[] Key, byte[] Field)? _unfit;

    /// <summary>The value of the last read over the link, kept while the guest may ask again for it with a larger buffer.</summary>
    public byte[]? LastRemoteValue { get; private set; }

    /// <summary>
    /// True when this read asks again for a value that did not fit the guest's buffer the call before (a read returns
    /// the length when it does not fit): it is not counted again, and a value read over the link is not read again.
    /// A read that is asked for again after it fitted is a read of its own.
    /// </summary>
    public bool Repeats(string op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field) =>
        _unfit is { } last && last.Op == op && key.SequenceEqual(last.Key) && field.SequenceEqual(last.Field);

    /// <summary>Records how a read ended: its value (when it came over the link) and whether it fitted the guest's buffer.</summary>
    public void Ended(string op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, byte[]? remoteValue, bool fitted)
    {
        _unfit = fitted ? null : (op, key.ToArray(), field.ToArray());
        LastRemoteValue = fitted ? null : remoteValue;
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
