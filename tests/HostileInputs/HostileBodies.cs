using System.Text;

namespace Fornax.Tests.Hostile;

/// <summary>
/// Request bodies that took a site down (issue: hostile input), kept as regression inputs. The deep ones are made
/// from their recipe rather than stored, so the recipe is what a reader sees; the alias bomb is stored as sent.
/// </summary>
internal static class HostileBodies
{
    /// <summary>100,000 <c>[</c> (any Content-Type): overflowed the stack in the YAML parser and killed the site.</summary>
    public static byte[] DeepBrackets { get; } = Encoding.ASCII.GetBytes(new string('[', 100_000));

    /// <summary>A flow mapping nested 10,000 deep (<c>{a: {a: … }}</c>): answered 500 with an empty body.</summary>
    public static byte[] DeepYamlMapping { get; } = Encoding.ASCII.GetBytes(
        string.Concat(Enumerable.Repeat("{a: ", 10_000)) + "x" + new string('}', 10_000));

    /// <summary>Nine levels of nine aliases (as in Kubernetes CVE-2019-11253): 9^9 nodes; grew a site to 11.7 GB.</summary>
    public static byte[] AliasBomb => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "hostile", "alias-bomb.yaml"));
}
