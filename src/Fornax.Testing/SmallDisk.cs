using System.Diagnostics;

namespace Fornax.Testing;

/// <summary>
/// A real 16 MiB tmpfs, so a full disk gives the real ENOSPC. Mounting needs root (CI runs as root); where it is refused,
/// <see cref="TryMount"/> returns null and says why, and the test has nothing to check.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    /// <summary>The errno of a full disk, which .NET puts in HResult on Linux (the only system with tmpfs).</summary>
    private const int Enospc = 28;

    private readonly string _root;
    private readonly string _ballast;

    private SmallDisk(string root)
    {
        _root = root;
        _ballast = Path.Combine(root, "ballast");
        Directory.CreateDirectory(DataDirectory);
    }

    /// <summary>A data directory on the small disk (created empty).</summary>
    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>Mounts a fresh small disk, or returns null after telling <paramref name="report"/> why it cannot (not root, not Linux).</summary>
    public static SmallDisk? TryMount(Action<string> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var root = Directory.CreateTempSubdirectory("fornax-small-disk-").FullName;
        var refusal = OperatingSystem.IsLinux() ? Run("mount", $"-t tmpfs -o size=16m tmpfs {root}") : "not Linux";
        if (refusal is null)
        {
            return new SmallDisk(root);
        }

        Directory.Delete(root);
        report($"mounting a tmpfs was refused ({refusal}): nothing to check without a disk that can be filled");
        return null;
    }

    /// <summary>Fills the disk to the last block with a ballast file; returns the bytes written.</summary>
    public long Fill()
    {
        using var ballast = File.OpenHandle(_ballast, FileMode.OpenOrCreate, FileAccess.Write);
        var offset = RandomAccess.GetLength(ballast);
        // Large blocks first, then single pages, so nothing is left but less than a page.
        foreach (var block in new[] { 1024 * 1024, 4096 })
        {
            var bytes = new byte[block];
            while (true)
            {
                try
                {
                    RandomAccess.Write(ballast, bytes, offset);
                    offset += block;
                }
                catch (IOException e) when (e.HResult == Enospc)
                {
                    break;
                }
            }
        }

        return offset;
    }

    /// <summary>Gives the disk's room back.</summary>
    public void Free() => File.Delete(_ballast);

    public void Dispose()
    {
        Run("umount", _root);
        Directory.Delete(_root, recursive: true);
    }

    private static string? Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{file} exited with {process.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}
