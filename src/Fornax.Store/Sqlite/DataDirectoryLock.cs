using System.Globalization;
using System.Text;

namespace Fornax.Store;

/// <summary>
/// An exclusive lock on <c>DATA/lock</c>, held while a store is open. On Unix .NET takes
/// <c>flock(LOCK_EX|LOCK_NB)</c> for <see cref="FileShare.None"/>, so a second open fails both in
/// this process and in any other one; the OS drops the lock when the process dies, even on kill -9.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    public static DataDirectoryLock Acquire(string directory)
    {
        var path = Path.Combine(directory, "lock");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreException(
                StoreErrorReason.Locked,
                $"data directory {directory} is in use by another store (lock file {path} is held)",
                e);
        }

        // The pid is only a hint for an operator who finds the directory locked: on a full disk it is left out, and the
        // store opens read-only all the same.
        try
        {
            // Unbuffered, so a write that failed is not tried again when the lock is released.
            file.SetLength(0);
            RandomAccess.Write(file.SafeFileHandle, Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"), 0);
        }
        catch (IOException e) when (DiskFull.Is(e))
        {
        }

        return new DataDirectoryLock(file);
    }

    public void Dispose() => _file.Dispose();
}
