using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>Strings (LWW registers) and counters (PN-counter shares).</summary>
internal sealed partial class KvTransaction
{
    public bool TryGetString(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        var state = LiveOfType(key, KvType.String);
        if (state is null)
        {
            value = default;
            return false;
        }

        value = Read(state.Str);
        return true;
    }

    public bool IsCounter(ReadOnlySpan<byte> key) => LiveOfType(key, KvType.String)?.Str.IsCounter ?? false;

    public void SetString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long? expiryUnixMs, bool keepExpiry)
    {
        if (expiryUnixMs <= NowUnixMs)
        {
            Delete(key); // an absolute expiry already past: Redis stores and at once expires the key
            return;
        }

        var wasLive = Live(key) is not null;
        var state = ForWrite(key, KvType.String);
        var dot = NewDot(state);
        state.Str = new ValueCell([new Register(dot, value.ToArray())], []);
        state.Type = KvType.String;
        if (expiryUnixMs is { } at)
        {
            state.Expiry = [new ExpiryEntry(NewDot(state), at)];
            state.ExpiresAt = at;
        }
        else if (!keepExpiry || !wasLive)
        {
            state.Expiry = [];
            state.ExpiresAt = 0;
        }
    }

    public long IncrementBy(ReadOnlySpan<byte> key, long delta)
    {
        var current = 0L;
        if (LiveOfType(key, KvType.String) is { } live && !live.Str.Evaluate().TryGetInt64(out current))
        {
            throw new KvException(KvException.NotInteger);
        }

        long next;
        try
        {
            next = checked(current + delta);
        }
        catch (OverflowException)
        {
            throw new KvException(KvException.Overflow);
        }

        var state = ForWrite(key, KvType.String);
        state.Str = AddShare(state, state.Str, delta, 0);
        state.Type = KvType.String;
        return next;
    }

    public double IncrementByFloat(ReadOnlySpan<byte> key, double delta)
    {
        var current = 0d;
        if (LiveOfType(key, KvType.String) is { } live && !live.Str.Evaluate().TryGetDouble(out current))
        {
            throw new KvException(KvException.NotFloat);
        }

        if (!double.IsFinite(current + delta))
        {
            throw new KvException(KvException.NaNOrInfinity);
        }

        var state = ForWrite(key, KvType.String);
        state.Str = AddShare(state, state.Str, 0, delta);
        state.Type = KvType.String;
        state.Str.Evaluate().TryGetDouble(out var next);
        return next;
    }

    /// <summary>This replica's counter share plus the increment, under a new dot; the registers stay (they are the base).</summary>
    private ValueCell AddShare(KeyState state, ValueCell cell, long integer, double fraction)
    {
        var mine = default(CounterShare);
        foreach (var share in cell.Counters)
        {
            if (share.Stamp.Replica == replica)
            {
                mine = share;
            }
        }

        // The share's integer sum may wrap only when this replica's own increments overflow, which the check against
        // the total already refused, except against a negative base: wrap-around arithmetic keeps the total exact.
        var added = new CounterShare(NewDot(state), unchecked(mine.Integer + integer), mine.Float + fraction);
        return new ValueCell(cell.Registers, DotStore.ReplaceReplica(cell.Counters, replica, added));
    }

    /// <summary>What a cell reads as; a counter is rendered into the transaction's scratch buffer.</summary>
    private ReadOnlySpan<byte> Read(ValueCell cell)
    {
        if (cell.Counters.Length == 0 && cell.WinningRegister is { } text)
        {
            return text;
        }

        return cell.Evaluate().Render(ref _scratch);
    }
}
