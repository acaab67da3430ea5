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
    private static nint SetAdd(nint env, nint caller, NativeValue* s, nuint count)
    {
        var context = InvocationContext.From(caller);
        try
        {
            var call = StateCall.Begin(context, caller, "sadd");
            var key = call.Key(s[0].I32, s[1].I32);
            var member = call.Value(s[2].I32, s[3].I32, "member");
            call.Check(key, write: true);
            s[0].I32 = call.Store.SetAdd(key, member, out var durable) ? 1 : 0;
            call.Session.Wrote(durable);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(context, "sadd", e, s);
        }
    }

    /// <summary>smembers(key, key_len, out, out_cap) → length of the encoded members (StateLists), copied when ≤ out_cap.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint SetMembers(nint env, nint caller, NativeValue* s, nuint count)
    {
        var context = InvocationContext.From(caller);
        try
        {
            var call = StateCall.Begin(context, caller, "smembers");
            var key = call.Key(s[0].I32, s[1].I32);
            call.Check(key, write: false);
            var into = call.Out(s[2].I32, s[3].I32);
            s[0].I32 = StateCall.Length(call.Store.SetMembers(key, into));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(context, "smembers", e, s);
        }
    }

    /// <summary>hset(key, key_len, field, field_len, value, value_len) → 1 when the field is new, else 0.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint HashSet(nint env, nint caller, NativeValue* s, nuint count)
    {
        var context = InvocationContext.From(caller);
        try
        {
            var call = StateCall.Begin(context, caller, "hset");
            var key = call.Key(s[0].I32, s[1].I32);
            var field = call.Key(s[2].I32, s[3].I32, "field");
            var value = call.Value(s[4].I32, s[5].I32);
            call.Check(key, write: true);
            s[0].I32 = call.Store.HashSet(key, field, value, out var durable) ? 1 : 0;
            call.Session.Wrote(durable);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(context, "hset", e, s);
        }
    }

    /// <summary>hget(key, key_len, field, field_len, out, out_cap) → value length (copied when ≤ out_cap), or -1.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint HashGet(nint env, nint caller, NativeValue* s, nuint count)
    {
        var context = InvocationContext.From(caller);
        try
        {
            var call = StateCall.Begin(context, caller, "hget");
            var key = call.Key(s[0].I32, s[1].I32);
            var field = call.Key(s[2].I32, s[3].I32, "field");
            call.Check(key, write: false);
            var into = call.Out(s[4].I32, s[5].I32);
            s[0].I32 = call.Store.HashGet(key, field, into);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(context, "hget", e, s);
        }
    }

    /// <summary>hincr(key, key_len, field, field_len, delta: i64, out: *i64) → 0, the field's new value at out.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint HashIncrement(nint env, nint caller, NativeValue* s, nuint count)
    {
        var context = InvocationContext.From(caller);
        try
        {
            var call = StateCall.Begin(context, caller, "hincr");
            var key = call.Key(s[0].I32, s[1].I32);
            var field = call.Key(s[2].I32, s[3].I32, "field");
            long delta = s[4].I64;
            var into = call.Out(s[5].I32, sizeof(long));
            call.Check(key, write: true);
            long value = call.Store.HashIncrement(key, field, delta, out var durable);
            call.Session.Wrote(durable);
            BinaryPrimitives.WriteInt64LittleEndian(into, value);
            s[0].I32 = 0;
            return 0;
        }
        catch (Exception e)
        {
            return Fail(context, "hincr", e, s);
        }
    }

    /// <summary>hgetall(key, key_len, out, out_cap) → length of field, value, … encoded (StateLists), copied when ≤ out_cap.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint HashEntries(nint env, nint caller, NativeValue* s, nuint count)
    {
        var context = InvocationContext.From(caller);
        try
        {
            var call = StateCall.Begin(context, caller, "hgetall");
            var key = call.Key(s[0].I32, s[1].I32);
            call.Check(key, write: false);
            var into = call.Out(s[2].I32, s[3].I32);
            s[0].I32 = StateCall.Length(call.Store.HashEntries(key, into));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(context, "hgetall", e, s);
        }
    }
}
