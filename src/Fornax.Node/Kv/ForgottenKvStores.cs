using System.Globalization;
using Fornax.Hierarchy.Identity;

namespace Fornax.Node.Kv;

/// <summary>
/// The data epochs of this site's KV stores that the tree forgot, kept in <c>DATA/kv-forgotten-epochs</c> (one decimal
/// number a line, written atomically and flushed). A store is added when the parent refuses to replicate with it: the
/// site was forgotten and came back with the data it had then, or it last replicated with such a store of a neighbour.
/// The operator then removes the <c>kv</c> folder; this file, beside it, outlives it, so the store started afresh names
/// the forgotten epochs in its hellos and the sites below it, still holding what they had from the old store, are
/// refused in turn (<see cref="Fornax.Kv.Engine.KvStoreOptions.ForgottenEpochs"/>).
/// </summary>
internal sealed class ForgottenKvStores(string dataDirectory)
{
    public const string FileName = "kv-forgotten-epochs";

    private readonly Lock _gate = new();

    public string Path { get; } = System.IO.Path.Combine(dataDirectory, FileName);

    /// <summary>The epochs recorded; none when there is no file.</summary>
    /// <exception cref="InvalidDataException">A line is not an epoch: named with the file, never read as none (that would
    /// let the sites below a forgotten store bring deleted keys back).</exception>
    public IReadOnlyList<long> Read()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path);
        }
        catch (FileNotFoundException)
        {
            return [];
        }

        var epochs = new List<long>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) || epoch == 0)
            {
                throw new InvalidDataException(
                    $"{Path}: line {i + 1} (\"{Shorten(line)}\") is not a data epoch (a positive 64-bit number); the file lists the KV stores of this site " +
                    "the tree forgot: restore it, or remove the line if you know that store's data never reached the sites below this one");
            }

            epochs.Add(epoch);
        }

        return epochs;
    }

    /// <summary>Adds <paramref name="epoch"/> (once) and flushes the file to disk before returning.</summary>
    public void Record(long epoch)
    {
        lock (_gate)
        {
            var epochs = Read();
            if (epochs.Contains(epoch))
            {
                return;
            }

            PkiFiles.WriteAtomically(Path, string.Concat(epochs.Append(epoch).Select(e => e.ToString(CultureInfo.InvariantCulture) + "\n")), secret: false);
        }
    }

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "…";
}
