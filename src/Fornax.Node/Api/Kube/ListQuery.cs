using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Selectors;
using Fornax.Core.Serialization;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api.Kube;

/// <summary>One <c>fieldSelector</c> requirement: <c>metadata.name=x</c>, <c>metadata.namespace!=y</c>.</summary>
internal sealed record FieldRequirement(string Field, string Value, bool Equal);

/// <summary>Where the next page of a list starts: after this namespace/name, at the first page's resourceVersion.</summary>
internal sealed record ContinueToken(long ResourceVersion, string Namespace, string Name)
{
    public string Encode() =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["rv"] = ResourceVersion, ["ns"] = Namespace, ["name"] = Name }, WebJson.Default.JsonObject));

    public static ContinueToken? Decode(string text)
    {
        try
        {
            var json = JsonNode.Parse(Convert.FromBase64String(text)) as JsonObject;
            return json is null ? null : new ContinueToken(json["rv"]!.GetValue<long>(), json["ns"]!.GetValue<string>(), json["name"]!.GetValue<string>());
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            return null;
        }
    }
}

/// <summary>
/// The list and watch parameters kubectl and client-go send: <c>labelSelector</c>, <c>fieldSelector</c> (on
/// <c>metadata.name</c> and <c>metadata.namespace</c>, as for custom resources), <c>limit</c> and <c>continue</c>.
/// </summary>
internal sealed record ListQuery(LabelSelector? Labels, IReadOnlyList<FieldRequirement> Fields, int? Limit, ContinueToken? Continue)
{
    public static readonly string[] SupportedFields = ["metadata.name", "metadata.namespace"];

    /// <summary>Reads the query, or says (as a 400 Status) which parameter is wrong.</summary>
    public static ListQuery? Parse(IQueryCollection query, out IResult? error)
    {
        error = null;
        LabelSelector? labels = null;
        if (query["labelSelector"].FirstOrDefault() is { Length: > 0 } labelText)
        {
            try
            {
                labels = SelectorSyntax.Parse(labelText);
            }
            catch (SelectorSyntaxException e)
            {
                error = ApiStatus.BadRequest($"labelSelector: {e.Message}");
                return null;
            }
        }

        var fields = new List<FieldRequirement>();
        foreach (var part in (query["fieldSelector"].FirstOrDefault() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (op, at) = part.IndexOf("!=", StringComparison.Ordinal) is >= 0 and var ne ? ("!=", ne)
                : part.IndexOf("==", StringComparison.Ordinal) is >= 0 and var ee ? ("==", ee)
                : ("=", part.IndexOf('='));
            if (at <= 0)
            {
                error = ApiStatus.BadRequest($"fieldSelector: \"{part}\" is not FIELD=VALUE or FIELD!=VALUE");
                return null;
            }

            var field = part[..at].Trim();
            if (!SupportedFields.Contains(field))
            {
                error = ApiStatus.BadRequest($"fieldSelector: field label not supported: {field} (supported: {string.Join(", ", SupportedFields)})");
                return null;
            }

            fields.Add(new FieldRequirement(field, part[(at + op.Length)..].Trim(), op != "!="));
        }

        int? limit = null;
        if (query["limit"].FirstOrDefault() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, out var l) || l < 0)
            {
                error = ApiStatus.BadRequest($"limit: \"{limitText}\" is not a non-negative integer");
                return null;
            }

            limit = l == 0 ? null : l;
        }

        ContinueToken? next = null;
        if (query["continue"].FirstOrDefault() is { Length: > 0 } continueText && (next = ContinueToken.Decode(continueText)) is null)
        {
            error = ApiStatus.BadRequest("continue: not a token this site issued (list again from the start)");
            return null;
        }

        return new ListQuery(labels, fields, limit, next);
    }

    public bool Matches(JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject;
        foreach (var f in Fields)
        {
            var actual = f.Field == "metadata.name" ? metadata?["name"]?.GetValue<string>() : metadata?["namespace"]?.GetValue<string>();
            if ((actual == f.Value) != f.Equal)
            {
                return false;
            }
        }

        if (Labels is null)
        {
            return true;
        }

        var labels = (metadata?["labels"] as JsonObject)?
            .Where(p => p.Value is JsonValue)
            .ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal);
        return Labels.Matches(labels);
    }

    /// <summary>A readable form of the selectors, for messages.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Labels is not null)
        {
            text.Append("labelSelector=").Append(SelectorSyntax.Format(Labels));
        }

        foreach (var f in Fields)
        {
            text.Append(text.Length > 0 ? "," : "fieldSelector=").Append(f.Field).Append(f.Equal ? "=" : "!=").Append(f.Value);
        }

        return text.ToString();
    }
}
