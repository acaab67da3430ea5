namespace Fornax.Store;

/// <summary>Recognizes the I/O errors of a full disk or an exhausted quota, on Linux, macOS and Windows.</summary>
public static class DiskFull
{
    // errno values on Linux and macOS: ENOSPC (no space left), EDQUOT (quota exceeded, Linux). .NET puts the errno
    // of an unmapped error in HResult.
    private const int Enospc = 28;
    private const int Edquot = 122;

    // Windows HRESULTs: ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL.
    private const int HandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsDiskFull = unchecked((int)0x80070070);

    public static bool Is(IOException e) => OperatingSystem.IsWindows()
        ? e.HResult is HandleDiskFull or WindowsDiskFull
        : e.HResult is Enospc or Edquot;
}
