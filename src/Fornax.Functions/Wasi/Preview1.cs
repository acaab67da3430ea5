namespace Fornax.Functions.Wasi;

/// <summary>Names and numbers of WASI preview 1 (<c>wasi_snapshot_preview1</c>) that the host functions return.</summary>
internal static class Preview1
{
    public const string Module = "wasi_snapshot_preview1";

    // errno values of wasi_snapshot_preview1's `errno` type.
    public const int Success = 0;
    public const int BadFileDescriptor = 8;
    public const int Fault = 21;
}
