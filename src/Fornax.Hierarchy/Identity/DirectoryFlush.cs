using System.Runtime.InteropServices;

namespace Fornax.Hierarchy.Identity;

/// <summary>
/// Flushes a directory's entries to disk (POSIX <c>fsync</c> on the directory). A rename is an update of the directory,
/// not of the file: after write-temp, fsync-temp, rename, the new name itself is durable only once the directory is
/// flushed too — until then an OS crash or power loss can bring back the old file, or none. .NET has no API for this
/// (a directory cannot be opened as a <see cref="FileStream"/>), hence libc. Nothing to do on Windows, where the rename
/// of an already-flushed file is journaled by NTFS.
/// </summary>
internal static class DirectoryFlush
{
    private const int ReadOnly = 0;          // O_RDONLY
    private const int OnlyDirectory = 0x10000; // O_DIRECTORY on Linux (x86-64 and arm64)
    private const int CloseOnExec = 0x80000; // O_CLOEXEC

    /// <summary>Flushes <paramref name="directory"/>; throws <see cref="IOException"/> naming it and the error if that fails.</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = open(directory, ReadOnly | OnlyDirectory | CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to flush it: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"cannot flush directory {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            // A read-only descriptor of a directory: close cannot lose data, and the fsync above already reported any error.
            _ = close(fd);
        }
    }

    // DllImport, not LibraryImport: this assembly is not compiled unsafe, and a string argument is all it needs.
    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
}
