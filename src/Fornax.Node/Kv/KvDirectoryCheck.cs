namespace Fornax.Node.Kv;

/// <summary>
/// What a start checks of the KV store's directory without opening RocksDB (two small file reads): that the file naming
/// the current manifest is there and names one that exists. A directory failing this stops the start with one line
/// naming the file (<see cref="InvalidDataException"/>); damage deeper in the files shows when the store first opens.
/// </summary>
internal static class KvDirectoryCheck
{
    public static void ThrowIfBroken(string directory)
    {
        if (File.Exists(directory))
        {
            throw new InvalidDataException($"{directory}: the KV store's directory is a file");
        }

        if (!Directory.Exists(directory))
        {
            return; // made at the first open
        }

        var current = Path.Combine(directory, "CURRENT");
        if (!File.Exists(current))
        {
            // Without CURRENT RocksDB would make a new, empty store beside the old tables: refuse rather than lose them.
            if (Directory.EnumerateFiles(directory, "*.sst").Any())
            {
                throw new InvalidDataException($"{current}: missing, but {directory} holds the store's tables; restore the file or move the directory away");
            }

            return; // a store whose creation was cut short holds no data: RocksDB makes it again
        }

        var text = File.ReadAllText(current);
        var name = text.EndsWith('\n') ? text[..^1] : "";
        if (!IsManifestName(name))
        {
            throw new InvalidDataException($"{current}: does not name a MANIFEST file (it holds {text.Length} bytes); restore it or move {directory} away");
        }

        var manifest = Path.Combine(directory, name);
        if (!File.Exists(manifest))
        {
            throw new InvalidDataException($"{manifest}: missing (named by {current}); restore it or move {directory} away");
        }
    }

    /// <summary>RocksDB's manifest files: <c>MANIFEST-</c> and a number.</summary>
    private static bool IsManifestName(string name) =>
        name.StartsWith("MANIFEST-", StringComparison.Ordinal) && name.Length > 9 && !name.AsSpan(9).ContainsAnyExceptInRange('0', '9');
}
