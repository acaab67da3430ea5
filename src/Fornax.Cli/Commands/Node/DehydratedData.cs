using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Fornax.Cli.Commands.Node;

/// <summary>
/// Gives back the pages of the Native AOT executable's dehydrated type data once the site has started. ILC stores the
/// runtime's type structures compressed in <c>.rodata</c> (about 4.5 MB of the x64 <c>fornax</c>); the runtime expands
/// them into the <c>.hydrated</c> section once, before <c>Main</c>, and never reads the compressed copy again. Its pages
/// stay mapped all the same and count in the idle site's resident memory. <c>madvise(MADV_DONTNEED)</c> drops them from
/// the process: they are clean pages of the file, so nothing is lost, and should anything read them again it would get
/// them back from the page cache (docs/benchmarks.md, "Native AOT release build").
/// </summary>
/// <remarks>
/// Where the data is, is read from the executable itself: the ELF section headers of <c>/proc/self/exe</c> name the
/// <c>__modules</c> section, whose one pointer leads to the module's ReadyToRun header, whose section table holds the
/// dehydrated data's start and end. Anything unexpected (a JIT build under <c>dotnet</c>, another layout) releases
/// nothing.
/// </remarks>
internal static class DehydratedData
{
    /// <summary>ReadyToRun header signature, "RTR".</summary>
    private const uint ReadyToRunSignature = 0x00525452;

    /// <summary>ReadyToRunSectionType.DehydratedData in the NativeAOT runtime's module headers.</summary>
    private const int DehydratedDataSection = 207;

    /// <summary>This process's executable: the only file whose layout says where things are in this process's memory.</summary>
    private const string SelfExecutable = "/proc/self/exe";

    private const int MadvDontNeed = 4;
    private const nuint AtPhdr = 3;

    /// <summary>Releases the pages; returns the bytes released (0 when this is not a Native AOT executable).</summary>
    public static long Release(string executable = SelfExecutable)
    {
        try
        {
            return Locate(executable) is { } range ? Advise(range.Start, range.End) : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EntryPointNotFoundException or DllNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>The dehydrated data's address range in this process, or null when it cannot be found with certainty.</summary>
    internal static (nint Start, nint End)? Locate(string executable)
    {
        // Only the headers are read (the file is 29 MB): the ELF header, the program and section headers, their names.
        using var file = File.OpenHandle(executable);
        var elf = Read(file, 0, 64);
        if (elf.Length < 64 || BinaryPrimitives.ReadUInt32LittleEndian(elf) != 0x464C457F || elf[4] != 2 || elf[5] != 1)
        {
            return null; // not a little-endian 64-bit ELF file
        }

        var sections = Sections(file, elf);
        if (!sections.TryGetValue("__modules", out var modules) || !sections.TryGetValue(".rodata", out var rodata))
        {
            return null; // not a Native AOT executable (e.g. the dotnet host running fornax.dll)
        }

        if (executable != SelfExecutable)
        {
            return null; // another file's addresses say nothing about this process's memory
        }

        var loadBase = LoadBase(file, elf);
        if (loadBase == 0)
        {
            return null;
        }

        var header = Marshal.ReadIntPtr((nint)(loadBase + modules.Address));
        if ((uint)Marshal.ReadInt32(header) != ReadyToRunSignature)
        {
            return null;
        }

        int count = (ushort)Marshal.ReadInt16(header, 12);
        int entrySize = Marshal.ReadByte(header, 14);
        var rodataStart = (nint)(loadBase + rodata.Address);
        var rodataEnd = rodataStart + (nint)rodata.Size;
        for (var i = 0; i < count; i++)
        {
            var row = header + 16 + (i * entrySize);
            if (Marshal.ReadInt32(row) != DehydratedDataSection)
            {
                continue;
            }

            var start = Marshal.ReadIntPtr(row, 8);
            var end = Marshal.ReadIntPtr(row, 16);
            // Only ever read-only data of the executable: anything else means the layout is not what this code knows.
            return start >= rodataStart && end <= rodataEnd && start < end ? (start, end) : null;
        }

        return null;
    }

    private static byte[] Read(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, int length)
    {
        var buffer = new byte[length];
        var read = RandomAccess.Read(file, buffer, offset);
        return read == length ? buffer : buffer[..read];
    }

    /// <summary>The whole pages inside [start, end), dropped from this process.</summary>
    private static long Advise(nint start, nint end)
    {
        var page = Environment.SystemPageSize;
        var first = (start + page - 1) & ~(nint)(page - 1);
        var last = end & ~(nint)(page - 1);
        if (last <= first)
        {
            return 0;
        }

        return madvise(first, (nuint)(last - first), MadvDontNeed) == 0 ? last - first : 0;
    }

    /// <summary>Where the executable is loaded: the program headers' address in memory less their address in the file's layout.</summary>
    private static long LoadBase(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] elf)
    {
        var phoff = BinaryPrimitives.ReadInt64LittleEndian(elf.AsSpan(0x20));
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x36));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x38));
        if (phentsize < 56 || phnum is 0 or > 64)
        {
            return 0;
        }

        var headers = Read(file, phoff, phnum * phentsize);
        for (var i = 0; (i + 1) * phentsize <= headers.Length; i++)
        {
            var ph = headers.AsSpan(i * phentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) == 6) // PT_PHDR
            {
                return (long)getauxval(AtPhdr) - BinaryPrimitives.ReadInt64LittleEndian(ph[0x10..]);
            }
        }

        return 0;
    }

    private static Dictionary<string, (long Address, long Size)> Sections(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] elf)
    {
        var shoff = BinaryPrimitives.ReadInt64LittleEndian(elf.AsSpan(0x28));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3E));
        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        if (shoff <= 0 || shentsize < 64 || shnum is 0 or > 256 || shstrndx >= shnum)
        {
            return result;
        }

        var headers = Read(file, shoff, shnum * shentsize);
        if (headers.Length < shnum * shentsize)
        {
            return result;
        }

        var strtab = headers.AsSpan(shstrndx * shentsize);
        var names = Read(file, BinaryPrimitives.ReadInt64LittleEndian(strtab[0x18..]), (int)Math.Min(BinaryPrimitives.ReadInt64LittleEndian(strtab[0x20..]), 1 << 16));
        for (var i = 0; i < shnum; i++)
        {
            var sh = headers.AsSpan(i * shentsize);
            var nameAt = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh);
            if (nameAt >= names.Length)
            {
                continue;
            }

            var length = names.AsSpan(nameAt).IndexOf((byte)0);
            var name = System.Text.Encoding.ASCII.GetString(names, nameAt, length < 0 ? names.Length - nameAt : length);
            result[name] = (BinaryPrimitives.ReadInt64LittleEndian(sh[0x10..]), BinaryPrimitives.ReadInt64LittleEndian(sh[0x20..]));
        }

        return result;
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);

    [DllImport("libc", EntryPoint = "getauxval")]
    private static extern nuint getauxval(nuint type);
}
