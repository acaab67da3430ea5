using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fornax.Functions.Native;
using Fornax.Functions.Wasi;

namespace Fornax.Functions.State;

/// <summary>
/// The <c>fornax</c> import module: the site's KV store for guests, limited to the function's
/// <see cref="FunctionStateBinding"/>. Every call is one operation of the local store, on the guest's thread, with keys
/// and values read in place from guest memory. A call returns a status (a length, 0/1, or a negative
/// <see cref="FunctionStateError"/>, or -1 for a missing key); a call the guest may not make traps (see
/// <see cref="StateCall"/>). The signatures are those of examples/sdk/fornax.h; docs/functions.md, "State", lists them.
/// </summary>
internal static unsafe partial class HostState
{
    public const string Module = "fornax";

    /// <summary>What a read answers for a key (or field) that does not exist.</summary>
    public const int NotFound = -1;

    private const byte I32 = HostCall.I32;
    private const byte I64 = HostCall.I64;

    public static void Define(nint linker)
    {
        HostCall.Define(linker, Module, "get", [I32, I32, I32, I32], true, &Get);
        HostCall.Define(linker, Module, "set", [I32, I32, I32, I32], true, &Set);
        HostCall.Define(linker, Module, "del", [I32, I32], true, &Del);
        HostCall.Define(linker, Module, "incr", [I32, I32, I64, I32], true, &Incr);
        HostCall.Define(linker, Module, "sadd", [I32, I32, I32, I32], true, &SetAdd);
        HostCall.Define(linker, Module, "smembers", [I32, I32, I32, I32], true, &SetMembers);
        HostCall.Define(linker, Module, "hset", [I32, I32, I32, I32, I32, I32], true, &HashSet);
        HostCall.Define(linker, Module, "hget", [I32, I32, I32, I32, I32, I32], true, &HashGet);
        HostCall.Define(linker, Module, "hincr", [I32, I32, I32, I32, I64, I32], true, &HashIncrement);
        HostCall.Define(linker, Module, "hgetall", [I32, I32, I32, I32], true, &HashEntries);
    }

    /// <summary>get(key, key_len, out, out_cap) → value length (copied when ≤ out_cap), or -1.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Get(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "get", &GetBody);

    private static int GetBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        call.Check(key, write: false);
        var into = call.Out(s[2].I32, s[3].I32);
        return call.Store.Get(key, into);
    }

    /// <summary>set(key, key_len, value, value_len) → 0.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Set(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "set", &SetBody);

    private static int SetBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        var value = call.Value(s[2].I32, s[3].I32);
        call.Check(key, write: true);
        call.Store.Set(key, value, out var durable);
        call.Session.Wrote(durable);
        return 0;
    }

    /// <summary>del(key, key_len) → 1 when the key existed, else 0.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Del(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "del", &DelBody);

    private static int DelBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        call.Check(key, write: true);
        bool result = call.Store.Delete(key, out var durable);
        call.Session.Wrote(durable);
        return result ? 1 : 0;
    }

    /// <summary>incr(key, key_len, delta: i64, out: *i64) → 0, the new value at out.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Incr(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "incr", &IncrBody);

    private static int IncrBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        long delta = s[2].I64;
        var into = call.Out(s[3].I32, sizeof(long));
        call.Check(key, write: true);
        long value = call.Store.Increment(key, delta, out var durable);
        call.Session.Wrote(durable);
        BinaryPrimitives.WriteInt64LittleEndian(into, value);
        return 0;
    }

    /// <summary>Runs one call: its status goes to the guest in slot 0, or its failure becomes a trap (see <see cref="Fail"/>).</summary>
    private static nint Serve(nint caller, NativeValue* s, string name, delegate*<in StateCall, NativeValue*, int> body)
    {
        var context = InvocationContext.From(caller);
        try
        {
            var call = StateCall.Begin(context, caller, name);
            s[0].I32 = body(in call, s);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(context, name, e, s);
        }
    }

    /// <summary>
    /// A refusal of the store becomes the call's status; anything else traps the guest, its reason kept in the context
    /// (Wasmtime buries a host trap's message under a backtrace) so the invocation's error says it.
    /// </summary>
    private static nint Fail(InvocationContext? context, string call, Exception e, NativeValue* s)
    {
        if (e is FunctionStateException refused)
        {
            s[0].I32 = (int)refused.Error;
            return 0;
        }

        var message = e is StateViolation ? e.Message : $"fornax.{call}: {e.Message}";
        if (context is not null) context.HostFailure = message;
        return WasmtimeNative.NewTrap(message);
    }
}
