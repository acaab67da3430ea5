using System.Text;

namespace Fornax.Functions.State;

/// <summary>How a KV key appears in a message, wherever it is refused (here, or at a site it was read from).</summary>
public static class StateText
{
    /// <summary>A key for a message: quoted UTF-8, control bytes escaped, at most 64 characters.</summary>
    public static string Show(ReadOnlySpan<byte> key)
    {
        const int Shown = 64;
        var text = Encoding.UTF8.GetString(key[..Math.Min(key.Length, Shown * 4)]);
        var builder = new StringBuilder("\"");
        foreach (var c in text.Length > Shown ? text[..Shown] : text)
        {
            if (c is '"' or '\\') builder.Append('\\').Append(c);
            else if (char.IsControl(c)) builder.Append($"\\x{(int)c:x2}");
            else builder.Append(c);
        }

        return builder.Append(text.Length > Shown || key.Length > Shown * 4 ? "…\"" : "\"").ToString();
    }
}
