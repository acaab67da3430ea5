using Wasmtime;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Serves <c>proc_exit</c>: records the status in the request's <see cref="InvocationContext"/> and unwinds the guest.
/// Like Wasmtime's own, a status of 126 or more is not an exit but an error (the range WASI leaves to the host).
/// </summary>
internal static class HostExit
{
    /// <summary>What <see cref="Define"/> serves.</summary>
    public static readonly string[] Names = ["proc_exit"];

    /// <summary>Thrown out of the guest's <c>proc_exit</c>; the binding turns it into a trap, which ends the instance.</summary>
    internal sealed class GuestExitException(int status) : Exception($"guest exited with status {status}")
    {
        public int Status { get; } = status;
    }

    public static void Define(Linker linker)
    {
        linker.AllowShadowing = true;
        linker.DefineFunction(Preview1.Module, "proc_exit", (CallerAction<int>)Exit);
        linker.AllowShadowing = false;
    }

    private static void Exit(Caller caller, int status)
    {
        if ((uint)status >= 126)
            throw new InvalidOperationException($"exit with invalid exit status outside of [0..126): {(uint)status}");
        if (caller.GetData() is InvocationContext context) context.ExitStatus = status;
        throw new GuestExitException(status);
    }
}
