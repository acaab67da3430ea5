namespace Fornax.Hierarchy.Identity;

/// <summary>File names under <c>DATA/pki</c> and the one way we write them: atomically, private keys 0600.</summary>
internal static class PkiFiles
{
    public const string CaCertificate = "ca.crt";
    public const string CaKey = "ca.key";
    public const string SiteCertificate = "site.crt";
    public const string SiteKey = "site.key";
    public const string Trust = "trust.crt";
    public const string Tokens = "tokens.json";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    public static void EnsureDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
    }

    /// <summary>
    /// Writes to a temporary file in the same folder (created with the final mode, so a secret is never
    /// readable by others even for a moment), flushes it to disk, renames it over the target, and flushes the folder, so
    /// the new name is on disk too when this returns (<see cref="DirectoryFlush"/>).
    /// </summary>
    public static void WriteAtomically(string path, string contents, bool secret)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        EnsureDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret ? OwnerOnly : OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(contents);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        DirectoryFlush.Flush(directory);
    }
}
