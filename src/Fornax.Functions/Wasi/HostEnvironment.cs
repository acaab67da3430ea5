using Wasmtime;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Serves WASI <c>environ_*</c> and <c>args_*</c> from the request's <see cref="InvocationContext"/> instead of
/// Wasmtime's WASI context. Why: a CGI request has ~20 variables and every libc reads them all at start-up; through
/// Wasmtime's WASI they are marshalled into a new WASI context per request and copied out again through its generic
/// preview-1 layer, which made the C hello ~4× slower than a guest that skips them (docs/benchmarks.md).
/// </summary>
internal static class HostEnvironment
{

    /// <summary>What <see cref="Define"/> serves.</summary>
    public static readonly string[] Names = ["environ_sizes_get", "environ_get", "args_sizes_get", "args_get"];

    public static void Define(Linker linker)
    {
        linker.AllowShadowing = true;
        linker.DefineFunction(Preview1.Module, "environ_sizes_get", (CallerFunc<int, int, int>)((caller, count, size) => Sizes(caller, count, size, c => c.Environment)));
        linker.DefineFunction(Preview1.Module, "environ_get", (CallerFunc<int, int, int>)((caller, pointers, buffer) => Get(caller, pointers, buffer, c => c.Environment)));
        linker.DefineFunction(Preview1.Module, "args_sizes_get", (CallerFunc<int, int, int>)((caller, count, size) => Sizes(caller, count, size, c => c.Arguments)));
        linker.DefineFunction(Preview1.Module, "args_get", (CallerFunc<int, int, int>)((caller, pointers, buffer) => Get(caller, pointers, buffer, c => c.Arguments)));
        linker.AllowShadowing = false;
    }

    private static int Sizes(Caller caller, int countPointer, int sizePointer, Func<InvocationContext, StringBlock> select)
    {
        if (caller.GetData() is not InvocationContext context || context.Memory(caller) is not { } memory)
        {
            return Preview1.Fault;
        }

        var strings = select(context);
        try
        {
            memory.WriteInt32(countPointer, strings.Count);
            memory.WriteInt32(sizePointer, strings.Bytes.Length);
            return Preview1.Success;
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
        {
            return Preview1.Fault;
        }
    }

    /// <summary>Writes the pointer array at <paramref name="pointers"/> and the NUL-terminated strings at <paramref name="buffer"/>.</summary>
    private static int Get(Caller caller, int pointers, int buffer, Func<InvocationContext, StringBlock> select)
    {
        if (caller.GetData() is not InvocationContext context || context.Memory(caller) is not { } memory)
        {
            return Preview1.Fault;
        }

        try
        {
            var strings = select(context);
            strings.Bytes.CopyTo(memory.GetSpan(buffer, strings.Bytes.Length));
            var offsets = strings.Offsets;
            for (var i = 0; i < offsets.Length; i++)
            {
                memory.WriteInt32(pointers + (i * 4), checked(buffer + offsets[i]));
            }

            return Preview1.Success;
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return Preview1.Fault;
        }
    }
}
