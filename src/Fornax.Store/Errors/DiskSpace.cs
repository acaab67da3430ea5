namespace Fornax.Store;

/// <summary>How much room the file system under a directory has left, as <c>statvfs</c> reports it to this user.</summary>
internal static class DiskSpace
{
    /// <summary>
    /// Below this many available bytes a disk counts as full. A write that failed for want of space leaves less than one
    /// of its blocks (SQLite writes the log a 4 KiB page at a time; opening it needs 32 KiB of index); 1 MiB is far
    /// above that, and far below what a disk that had room and lost a write to the database's own size cap has.
    /// Writes resume once this much is free again.
    /// </summary>
    public const long FullBelowBytes = 1024 * 1024;

    /// <summary>True when the disk under <paramref name="directory"/> has less than <see cref="FullBelowBytes"/> available.</summary>
    public static bool IsFull(string directory)
    {
        try
        {
            // On Unix, DriveInfo takes any path and asks statvfs about the file system that holds it.
            return new DriveInfo(directory).AvailableFreeSpace < FullBelowBytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false; // cannot tell: treat a failure as the I/O error it is, not as a full disk
        }
    }
}
