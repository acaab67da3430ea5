using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Fornax.Kv.Resp;

/// <summary>Byte-level helpers for RESP text: case-insensitive matching and Redis' strict number syntax.</summary>
internal static class RespText
{
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> upperAscii)
    {
        if (value.Length != upperAscii.Length)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b is >= (byte)'a' and <= (byte)'z')
            {
                b -= 32;
            }

            if (b != upperAscii[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Redis' <c>string2ll</c>: an optional minus, then digits without leading zeros ("0" alone is fine), no spaces, no
    /// plus sign, within a signed 64-bit integer.
    /// </summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }

        if (text.Length == 1 && text[0] == (byte)'0')
        {
            return true;
        }

        var negative = text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.IsEmpty || digits[0] is < (byte)'1' or > (byte)'9')
        {
            return false;
        }

        ulong magnitude = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            var next = (magnitude * 10) + (ulong)(b - '0');
            if (magnitude > ulong.MaxValue / 10 || next < magnitude)
            {
                return false;
            }

            magnitude = next;
        }

        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = (long)(0 - magnitude);
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }

    /// <summary>A float as Redis' <c>string2ld</c> takes it: no spaces, not NaN ("inf" and "-inf" are accepted).</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 256 || char.IsWhiteSpace((char)text[0]) || char.IsWhiteSpace((char)text[^1]))
        {
            return false;
        }

        if (EqualsIgnoreCase(text, "INF"u8) || EqualsIgnoreCase(text, "+INF"u8) || EqualsIgnoreCase(text, "INFINITY"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (EqualsIgnoreCase(text, "-INF"u8) || EqualsIgnoreCase(text, "-INFINITY"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }

        if (Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && !double.IsNaN(value))
        {
            return true;
        }

        return double.TryParse(Encoding.ASCII.GetString(text), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
    }

    /// <summary>A float as Redis prints the result of INCRBYFLOAT: the shortest text that reads back, never exponent notation.</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-inf";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (!text.Contains('E', StringComparison.Ordinal))
        {
            return text;
        }

        return Math.Abs(value) >= 1 ? value.ToString("F0", CultureInfo.InvariantCulture) : value.ToString("0.###################################", CultureInfo.InvariantCulture);
    }
}
