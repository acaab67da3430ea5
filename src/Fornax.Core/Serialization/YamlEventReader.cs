using System.Text.Json.Nodes;
using Fornax.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Fornax.Core.Serialization;

/// <summary>
/// Builds JSON nodes from YamlDotNet's event stream with an explicit stack of open collections, so the depth of the
/// input never becomes depth of the call stack. Refuses nesting past <see cref="YamlJson.MaxDepth"/> when it opens the
/// collection that is one too deep, and alias expansion past <see cref="YamlJson.MaxAliasNodes"/> before it copies.
/// </summary>
internal sealed class YamlEventReader(string text)
{
    private readonly Parser _parser = new(new StringReader(text));
    private readonly Stack<Open> _open = new();
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private readonly List<YamlJson.Document> _documents = [];
    private int _aliasNodes;

    public IReadOnlyList<YamlJson.Document> ReadAll()
    {
        while (_parser.MoveNext())
        {
            switch (_parser.Current)
            {
                case DocumentStart:
                    _anchors.Clear(); // anchors belong to their document
                    break;
                case MappingStart mapping:
                    Push(new JsonObject(), mapping);
                    break;
                case SequenceStart sequence:
                    Push(new JsonArray(), sequence);
                    break;
                case MappingEnd or SequenceEnd:
                    Pop();
                    break;
                case Scalar scalar:
                    AddScalar(scalar);
                    break;
                case AnchorAlias alias:
                    AddAlias(alias);
                    break;
            }
        }

        return _documents;
    }

    private void Push(JsonNode node, NodeEvent start)
    {
        if (_open.Count >= YamlJson.MaxDepth)
        {
            throw new YamlException(start.Start, start.End, $"nested deeper than {YamlJson.MaxDepth} levels (the limit)");
        }

        _open.Push(new Open(node, start.Anchor.IsEmpty ? null : start.Anchor.Value, start.Start));
    }

    private void Pop()
    {
        var open = _open.Pop();
        var anchored = new Anchored(open.Node, open.Nodes, open.Height, KeyText: null);
        if (open.Anchor is not null)
        {
            _anchors[open.Anchor] = anchored;
        }

        Add(anchored, open.Node, open.Start);
    }

    private void AddScalar(Scalar scalar)
    {
        var value = YamlJson.ToJsonScalar(scalar);
        var anchored = new Anchored(value, 1, 0, scalar.Value ?? "");
        if (!scalar.Anchor.IsEmpty)
        {
            _anchors[scalar.Anchor.Value] = anchored;
        }

        if (_open.Count == 0 && scalar.Value is null or "" && scalar.Tag.IsEmpty)
        {
            return; // an empty document
        }

        Add(anchored, value, scalar.Start);
    }

    private void AddAlias(AnchorAlias alias)
    {
        if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
        {
            throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor before it");
        }

        // Counted before copying: the budget is what makes the copy safe to make.
        _aliasNodes += anchored.Nodes;
        if (_aliasNodes > YamlJson.MaxAliasNodes)
        {
            throw new YamlException(alias.Start, alias.End, $"aliases expand to more than {YamlJson.MaxAliasNodes} nodes (the limit); write the repeated content out instead");
        }

        if (_open.Count + anchored.Height > YamlJson.MaxDepth)
        {
            throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} makes the document nest deeper than {YamlJson.MaxDepth} levels (the limit)");
        }

        Add(anchored, anchored.Node?.DeepClone(), alias.Start);
    }

    /// <summary>Puts a finished node into the collection that is open (as a key or a value), or makes it a document.</summary>
    private void Add(Anchored shape, JsonNode? node, Mark start)
    {
        if (_open.Count == 0)
        {
            _documents.Add(new YamlJson.Document(node, (int)start.Line));
            return;
        }

        var parent = _open.Peek();
        parent.Nodes += shape.Nodes;
        parent.Height = Math.Max(parent.Height, shape.Height + 1);
        if (parent.Node is JsonArray array)
        {
            array.Add(node);
            return;
        }

        var obj = (JsonObject)parent.Node;
        if (parent.Key is null)
        {
            var name = shape.KeyText ?? throw new ObjectValidationException(
                [new ValidationError($"line {start.Line}, column {start.Column}", "a mapping key must be a plain string")]);
            if (obj.ContainsKey(name))
            {
                throw new YamlException(start, start, $"Duplicate key \"{name}\"");
            }

            parent.Key = name;
            return;
        }

        obj[parent.Key] = node;
        parent.Key = null;
    }

    /// <summary>A collection being read: its node, its anchor, and its size and height so far.</summary>
    private sealed class Open(JsonNode node, string? anchor, Mark start)
    {
        public JsonNode Node { get; } = node;

        public string? Anchor { get; } = anchor;

        public Mark Start { get; } = start;

        /// <summary>The key read in a mapping whose value comes next.</summary>
        public string? Key { get; set; }

        public int Nodes { get; set; } = 1;

        public int Height { get; set; } = 1;
    }

    /// <summary>A finished node as an alias would copy it; <c>KeyText</c> is the raw text of a scalar (usable as a key).</summary>
    private readonly record struct Anchored(JsonNode? Node, int Nodes, int Height, string? KeyText);
}
