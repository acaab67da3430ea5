using System.Runtime.InteropServices;

namespace Fornax.Store.Files;

/// <summary>
/// Flushes a directory's entries to disk (POSIX <c>fsync</c> on the directory). A rename is an update of the directory,
/// not of the file: after write-temp, fsync-temp, rename, the new name itself is durable only once the directory is
/// flushed too — until then an OS crash or power loss can bring back the old file, or none. .NET cannot open a
/// directory as a <see cref="FileStream"/>, hence libc. Nothing to do on Windows, where NTFS journals the rename.
/// </summary>
public static partial class DirectoryFlush
{
    // Only flags whose value is the same on every Linux architecture .NET runs on. O_DIRECTORY is not: 0x10000 on
    // x86-64 is O_DIRECT on arm64 (where O_DIRECTORY is 0x4000), and open(2) of a directory with O_DIRECT fails
    // with EINVAL. A read-only open needs no O_DIRECTORY: fsync works on any descriptor, and a path that is a file
    // only gets its own contents flushed, which is harmless.
    private const int ReadOnly = 0;            // O_RDONLY
    private const int CloseOnExec = 0x80000;   // O_CLOEXEC (02000000): no child process inherits the descriptor.
    private const int InvalidArgument = 22;    // EINVAL

    /// <summary>Flushes <paramref name="directory"/>; throws <see cref="IOException"/> naming it and the error if that fails.</summary>
    public static void Flush(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to flush it: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            // A file system that cannot flush directories answers EINVAL; its renames are as durable as they get
            // (PostgreSQL's fsync_fname treats it the same way).
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() != InvalidArgument)
            {
                throw new IOException($"cannot flush directory {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            // A read-only descriptor: close cannot lose data, and fsync above already reported any error.
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
