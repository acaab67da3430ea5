using System.Runtime.InteropServices;

namespace Fornax.Store;

/// <summary>
/// fsync of a directory, so that a renamed-in file survives power loss, not only process death.
/// .NET cannot open a directory as a file on Unix, hence the P/Invoke. Windows (NTFS journals
/// metadata) and any failure are best-effort no-ops: the file content itself is already flushed.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
            return;
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
            return;
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
