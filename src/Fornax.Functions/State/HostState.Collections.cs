using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fornax.Functions.Native;
using Fornax.Functions.Wasi;

namespace Fornax.Functions.State;

/// <summary>Sets and hashes of the <c>fornax</c> module.</summary>
internal static unsafe partial class HostState
{
    /// <summary>sadd(key, key_len, member, member_len) → 1 when the member is new, else 0.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint SetAdd(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "sadd", &SetAddBody);

    private static int SetAddBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        var member = call.Value(s[2].I32, s[3].I32, "member");
        call.Check(key, write: true);
        bool result = call.Store.SetAdd(key, member, out var durable);
        call.Session.Wrote(durable);
        return result ? 1 : 0;
    }

    /// <summary>smembers(key, key_len, out, out_cap) → length of the encoded members (StateLists), copied when ≤ out_cap.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint SetMembers(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "smembers", &SetMembersBody);

    private static int SetMembersBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        call.Check(key, write: false);
        var into = call.Out(s[2].I32, s[3].I32);
        return StateCall.Length(call.Store.SetMembers(key, into));
    }

    /// <summary>hset(key, key_len, field, field_len, value, value_len) → 1 when the field is new, else 0.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint HashSet(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "hset", &HashSetBody);

    private static int HashSetBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        var field = call.Key(s[2].I32, s[3].I32, "field");
        var value = call.Value(s[4].I32, s[5].I32);
        call.Check(key, write: true);
        bool result = call.Store.HashSet(key, field, value, out var durable);
        call.Session.Wrote(durable);
        return result ? 1 : 0;
    }

    /// <summary>hget(key, key_len, field, field_len, out, out_cap) → value length (copied when ≤ out_cap), or -1.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint HashGet(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "hget", &HashGetBody);

    private static int HashGetBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        var field = call.Key(s[2].I32, s[3].I32, "field");
        call.Check(key, write: false);
        var into = call.Out(s[4].I32, s[5].I32);
        return call.Store.HashGet(key, field, into);
    }

    /// <summary>hincr(key, key_len, field, field_len, delta: i64, out: *i64) → 0, the field's new value at out.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint HashIncrement(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "hincr", &HashIncrementBody);

    private static int HashIncrementBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        var field = call.Key(s[2].I32, s[3].I32, "field");
        long delta = s[4].I64;
        var into = call.Out(s[5].I32, sizeof(long));
        call.Check(key, write: true);
        long value = call.Store.HashIncrement(key, field, delta, out var durable);
        call.Session.Wrote(durable);
        BinaryPrimitives.WriteInt64LittleEndian(into, value);
        return 0;
    }

    /// <summary>hgetall(key, key_len, out, out_cap) → length of field, value, … encoded (StateLists), copied when ≤ out_cap.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint HashEntries(nint env, nint caller, NativeValue* s, nuint count) => Serve(caller, s, "hgetall", &HashEntriesBody);

    private static int HashEntriesBody(in StateCall call, NativeValue* s)
    {
        var key = call.Key(s[0].I32, s[1].I32);
        call.Check(key, write: false);
        var into = call.Out(s[2].I32, s[3].I32);
        return StateCall.Length(call.Store.HashEntries(key, into));
    }
}
