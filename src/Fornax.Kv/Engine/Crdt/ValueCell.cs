using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// The value of a string key or of a hash field: last-writer-wins registers and PN-counter shares. Immutable: a write
/// makes a new cell, so a transaction can restore the old one by reference. What it reads as: the winning register
/// (largest dot), plus the counter shares when that register is a number (or absent); a non-numeric register hides
/// the counter (a SET of text concurrent with an INCR elsewhere reads as the text).
/// </summary>
internal sealed class ValueCell(Register[] registers, CounterShare[] counters)
{
    public static readonly ValueCell Empty = new([], []);

    public Register[] Registers { get; } = registers;

    public CounterShare[] Counters { get; } = counters;

    public bool IsEmpty => Registers.Length == 0 && Counters.Length == 0;

    public Dot MaxDot
    {
        get
        {
            var a = DotStore.Max(Registers);
            var b = DotStore.Max(Counters);
            return a > b ? a : b;
        }
    }

    public byte[]? WinningRegister
    {
        get
        {
            if (Registers.Length == 0)
            {
                return null;
            }

            var best = Registers[0];
            for (var i = 1; i < Registers.Length; i++)
            {
                if (Registers[i].Stamp > best.Stamp)
                {
                    best = Registers[i];
                }
            }

            return best.Value;
        }
    }

    /// <summary>True when the counter shares count (there are some and the register, if any, is a number).</summary>
    public bool IsCounter => Counters.Length > 0 && (WinningRegister is not { } text || CellNumber.TryParse(text, out _));

    public CellNumber Evaluate()
    {
        var text = WinningRegister;
        var baseNumber = CellNumber.Zero;
        if (text is not null && !CellNumber.TryParse(text, out baseNumber))
        {
            return CellNumber.FromText(text);
        }

        if (Counters.Length == 0)
        {
            return text is null ? CellNumber.Zero : CellNumber.FromText(text, baseNumber);
        }

        Int128 integer = baseNumber.IsFloat ? 0 : baseNumber.Integer;
        double floats = baseNumber.IsFloat ? baseNumber.Float : 0;
        var anyFloat = baseNumber.IsFloat;
        foreach (var share in Counters)
        {
            integer += share.Integer;
            floats += share.Float;
            anyFloat |= share.Float != 0;
        }

        return anyFloat ? CellNumber.FromFloat((double)integer + floats) : CellNumber.FromInteger(integer);
    }
}

/// <summary>What a cell reads as: text, an integer or a float (Redis renders each its own way).</summary>
internal readonly struct CellNumber
{
    private CellNumber(byte[]? text, Int128 integer, double number, bool isFloat, bool isNumber)
    {
        Text = text;
        Integer = integer;
        Float = number;
        IsFloat = isFloat;
        IsNumber = isNumber;
    }

    public static CellNumber Zero => new(null, 0, 0, false, true);

    /// <summary>The stored text when the value is a plain register (no counter shares): read without rendering.</summary>
    public byte[]? Text { get; }

    public Int128 Integer { get; }

    public double Float { get; }

    public bool IsFloat { get; }

    public bool IsNumber { get; }

    public static CellNumber FromText(byte[] text) => new(text, 0, 0, false, false);

    public static CellNumber FromText(byte[] text, CellNumber parsed) =>
        new(text, parsed.Integer, parsed.Float, parsed.IsFloat, parsed.IsNumber);

    public static CellNumber FromInteger(Int128 value) => new(null, value, 0, false, true);

    public static CellNumber FromFloat(double value) => new(null, 0, value, true, true);

    /// <summary>A value INCR can work on: a 64-bit integer (Redis parses with strict rules: no spaces, no "+").</summary>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        if (Text is not null)
        {
            return StrictInt64(Text, out value);
        }

        if (IsFloat)
        {
            if (Math.Floor(Float) != Float || Math.Abs(Float) >= 9.2e18)
            {
                return false;
            }

            value = (long)Float;
            return true;
        }

        if (Integer < long.MinValue || Integer > long.MaxValue)
        {
            return false;
        }

        value = (long)Integer;
        return true;
    }

    public bool TryGetDouble(out double value)
    {
        value = 0;
        if (Text is not null)
        {
            return IsNumber && TryParseDouble(Text, out value);
        }

        value = IsFloat ? Float : (double)Integer;
        return true;
    }

    /// <summary>Renders the value as Redis would reply it; <paramref name="scratch"/> is used when it must be formatted.</summary>
    public ReadOnlySpan<byte> Render(ref byte[] scratch)
    {
        if (Text is not null)
        {
            return Text;
        }

        if (scratch.Length < 64)
        {
            scratch = new byte[64];
        }

        if (!IsFloat)
        {
            Integer.TryFormat(scratch, out var written, default, CultureInfo.InvariantCulture);
            return scratch.AsSpan(0, written);
        }

        var text = FormatFloat(Float);
        var n = Encoding.ASCII.GetBytes(text, scratch);
        return scratch.AsSpan(0, n);
    }

    public byte[] ToArray()
    {
        var scratch = Array.Empty<byte>();
        return Render(ref scratch).ToArray();
    }

    /// <summary>As INCRBYFLOAT replies: plain decimal (no exponent), no trailing zeros.</summary>
    public static string FormatFloat(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            text = ((decimal)value).ToString(CultureInfo.InvariantCulture);
        }

        return text == "-0" ? "0" : text;
    }

    public static bool TryParse(byte[] text, out CellNumber number)
    {
        if (StrictInt64(text, out var integer))
        {
            number = FromInteger(integer);
            return true;
        }

        if (TryParseDouble(text, out var d))
        {
            number = FromFloat(d);
            return true;
        }

        number = default;
        return false;
    }

    private static bool StrictInt64(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 20 || text[0] == '+' || (text.Length > 1 && text[0] == '0') ||
            (text.Length > 1 && text[0] == '-' && text[1] == '0'))
        {
            return false;
        }

        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }

    private static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 256 || char.IsWhiteSpace((char)text[0]) || char.IsWhiteSpace((char)text[^1]))
        {
            return false;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) &&
               !double.IsNaN(value) && !double.IsInfinity(value);
    }
}
