using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// The doc comments of an assembly (its XML documentation file, which the build writes beside it), as one-paragraph
/// descriptions for the OpenAPI schemas: <c>kubectl explain</c> shows them. No file, no descriptions.
/// </summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, string> _summaries = new(StringComparer.Ordinal);

    public XmlDocs(Assembly assembly)
    {
        // Beside the application, not Assembly.Location: that is empty in a single-file or Native AOT build.
        var path = Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".xml");
        if (!File.Exists(path))
        {
            return;
        }

        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary)
            {
                _summaries[name] = Text(summary);
            }
        }
    }

    public string? Type(Type type) => _summaries.GetValueOrDefault("T:" + Name(type));

    public string? Property(PropertyInfo property) =>
        property.DeclaringType is { } declaring ? _summaries.GetValueOrDefault($"P:{Name(declaring)}.{property.Name}") : null;

    private static string Name(Type type) => (type.IsGenericType ? type.GetGenericTypeDefinition() : type).FullName!.Replace('+', '.');

    /// <summary>The summary as plain text: <c>&lt;c&gt;x&lt;/c&gt;</c> becomes x, a <c>see cref</c> its last name.</summary>
    private static string Text(XElement summary)
    {
        foreach (var see in summary.Descendants("see").ToList())
        {
            var target = see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? "";
            see.ReplaceWith(target[(target.LastIndexOf('.') + 1)..]);
        }

        return Spaces().Replace(summary.Value, " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
