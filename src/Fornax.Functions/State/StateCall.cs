using Fornax.Functions.Native;
using Fornax.Functions.Wasi;

namespace Fornax.Functions.State;

/// <summary>
/// One call of the <c>fornax</c> host API: the invocation's <see cref="StateSession"/> and the guest's memory, with the
/// checks every argument passes before the store is touched. A hostile guest's pointers and lengths (past its memory,
/// over a limit) end in a <see cref="StateViolation"/>, never in a read or write outside the guest or an allocation
/// sized by the guest: guest data is used in place, as spans over its memory.
/// </summary>
internal readonly ref struct StateCall
{
    private readonly string _name;
    private readonly GuestMemory _memory;

    private StateCall(string name, StateSession session, GuestMemory memory)
    {
        _name = name;
        Session = session;
        _memory = memory;
    }

    public StateSession Session { get; }

    public IFunctionStateStore Store => Session.Store;

    public static StateCall Begin(InvocationContext? context, nint caller, string name)
    {
        if (context?.State is not { } session)
            throw new StateViolation($"fornax.{name}: this function binds no keyspaces (spec.state)");
        if (!context.TryMemory(caller, out var memory))
            throw new StateViolation($"fornax.{name}: the module exports no memory named \"memory\"");
        return new StateCall(name, session, memory);
    }

    /// <summary>A key (or hash field) from the guest, bounded by <see cref="FunctionRuntimeOptions.MaxStateKeyBytes"/>.</summary>
    public ReadOnlySpan<byte> Key(int pointer, int length, string what = "key") =>
        In(pointer, length, Session.Options.MaxStateKeyBytes, what);

    public void Check(ReadOnlySpan<byte> key, bool write) => Session.Check(_name, key, write);

    /// <summary>A value (or set member) from the guest.</summary>
    public ReadOnlySpan<byte> Value(int pointer, int length, string what = "value") =>
        In(pointer, length, Session.Options.MaxStateValueBytes, what);

    /// <summary>Where the guest wants a result: all of [pointer, pointer + capacity) must be its memory.</summary>
    public Span<byte> Out(int pointer, int capacity, string what = "out")
    {
        if (!_memory.TryGet((uint)pointer, (uint)capacity, out var span))
            throw new StateViolation($"fornax.{_name}: {what} buffer of {(uint)capacity} bytes at {(uint)pointer} reaches past the guest's memory of {_memory.Size} bytes");
        return span;
    }

    private ReadOnlySpan<byte> In(int pointer, int length, int limit, string what)
    {
        if ((uint)length > (uint)limit)
            throw new StateViolation($"fornax.{_name}: {what} of {(uint)length} bytes is over the limit of {FunctionRuntime.FormatBytes(limit)}");
        if (!_memory.TryGet((uint)pointer, (uint)length, out var span))
            throw new StateViolation($"fornax.{_name}: {what} of {length} bytes at {(uint)pointer} reaches past the guest's memory of {_memory.Size} bytes");
        return span;
    }

    /// <summary>A result length for the guest's i32: lists too long for it are refused rather than truncated.</summary>
    public static int Length(long length) => length <= int.MaxValue ? (int)length
        : throw new StateViolation($"a result of {length} bytes is too long for a 32-bit guest");
}
