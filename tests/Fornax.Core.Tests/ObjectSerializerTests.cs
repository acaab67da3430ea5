using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Tests;

public sealed class ObjectSerializerTests
{
    private const string MissionYaml = """
        # a comment
        metadata:
          name: cameras
          labels: {app: vision, version: 2}
        kind: Mission
        apiVersion: fornax.io/v1
        spec:
          placement:
            selector:
              matchExpressions:
                - {key: tier, operator: In, values: [edge]}
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: settings}
              data: {fps: 30, enabled: true, name: "front door"}
        ---
        apiVersion: fornax.io/v1
        kind: ConfigMap
        metadata: {name: plain, namespace: shop}
        data:
          motd: |
            hello
            world
        ---
        """;

    [Fact]
    public void ParseDocuments_MultiDocumentYaml_ReadsEveryObjectWithKindAnywhere()
    {
        var objects = ObjectSerializer.ParseDocuments(MissionYaml, "m.yaml");

        Assert.Equal(2, objects.Count);
        var mission = Assert.IsType<Mission>(objects[0]);
        Assert.Equal("cameras", mission.Metadata.Name);
        Assert.Equal("2", mission.Metadata.Labels!["version"]);
        var content = Assert.IsType<ConfigMap>(Assert.Single(mission.Spec.Content!));
        Assert.Equal(new Dictionary<string, string> { ["fps"] = "30", ["enabled"] = "true", ["name"] = "front door" }, content.Data);
        var plain = Assert.IsType<ConfigMap>(objects[1]);
        Assert.Equal("shop", plain.Metadata.Namespace);
        Assert.Equal("hello\nworld\n", plain.Data!["motd"]);
    }

    [Fact]
    public void JsonAndYaml_RoundTrip_PreserveEveryField()
    {
        var original = ObjectSerializer.ParseDocuments(MissionYaml)[0];
        var json = ObjectSerializer.ToJson(original, indented: true);
        var fromJson = ObjectSerializer.FromJson(json);
        var yaml = ObjectSerializer.ToYaml(fromJson);
        var fromYaml = ObjectSerializer.ParseDocuments(yaml).Single();

        Assert.Equal(ObjectSerializer.ToJson(original), ObjectSerializer.ToJson(fromYaml));
        Assert.Contains("kind: Mission", yaml, StringComparison.Ordinal);
        // Strings that look like numbers stay strings after a YAML round trip.
        Assert.Contains("version: \"2\"", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDocuments_UnknownKind_NamesTheKindAndTheKnownOnes()
    {
        var e = Assert.Throws<ObjectValidationException>(() =>
            ObjectSerializer.ParseDocuments("apiVersion: fornax.io/v1\nkind: Gadget\nmetadata: {name: x}\n"));

        Assert.Contains("kind: \"Gadget\" is not a known kind", e.Message, StringComparison.Ordinal);
        Assert.Contains("Mission", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDocuments_UnknownFields_ReportsEveryPathWithAHint()
    {
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: m, lables: {a: b}}
            spec:
              placment: {}
              content:
                - {apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: c}, dta: {}}
            """));

        Assert.Equal(
            ["metadata.lables", "spec.placment", "spec.content[0].dta"],
            e.Errors.Select(x => x.Path).ToArray());
        Assert.Contains("did you mean \"placement\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDocuments_WrongType_NamesThePathAndExpectedType()
    {
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Function
            metadata: {name: f}
            spec: {module: a.wasm, limits: {memoryMiB: lots}}
            """));

        var error = Assert.Single(e.Errors);
        Assert.Equal("spec.limits.memoryMiB", error.Path);
        Assert.Contains("an integer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: [unclosed", "invalid YAML")]
    [InlineData("a: 1\na: 2", "line 2, column 1: invalid YAML: Duplicate key")]
    [InlineData("- just\n- a list of strings", "expected an object")]
    public void ParseDocuments_MalformedYaml_SaysWhere(string yaml, string expected)
    {
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments(yaml, "bad.yaml"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDocuments_InvalidSelector_ReportsFieldAndValue()
    {
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: m}
            spec:
              placement:
                selector:
                  matchExpressions:
                    - {key: tier, operator: Like, values: [edge]}
                    - {key: "bad key!", operator: Exists, values: [x]}
              command: {command: "echo hi", timeout: soon}
            """));

        var messages = e.Errors.Select(x => x.ToString()).ToArray();
        Assert.Contains("spec.placement.selector.matchExpressions[0].operator: \"Like\" is not one of In, NotIn, Exists, DoesNotExist", messages);
        Assert.Contains(messages, m => m.StartsWith("spec.placement.selector.matchExpressions[1].key:", StringComparison.Ordinal));
        Assert.Contains("spec.placement.selector.matchExpressions[1].values: must be empty when operator is Exists", messages);
        Assert.Contains(messages, m => m.StartsWith("spec.command.timeout: \"soon\"", StringComparison.Ordinal));
    }

    [Fact]
    public void ParseDocuments_JsonListObject_YieldsItems()
    {
        var objects = ObjectSerializer.ParseDocuments("""
            {"kind": "List", "items": [
              {"apiVersion": "fornax.io/v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
              {"apiVersion": "fornax.io/v1", "kind": "ConfigMap", "metadata": {"name": "b"}}]}
            """);

        Assert.Equal(["a", "b"], objects.Select(o => o.Metadata.Name).ToArray());
    }

    [Fact]
    public void ToJsonObject_WritesKindAndCamelCaseAndOmitsNulls()
    {
        var cm = new ConfigMap { Metadata = new ObjectMeta { Name = "x" }, Data = new() { ["k"] = "v" } };

        var json = ObjectSerializer.ToJsonObject(cm);

        Assert.Equal("ConfigMap", json["kind"]!.GetValue<string>());
        Assert.Equal("fornax.io/v1", json["apiVersion"]!.GetValue<string>());
        Assert.False(((JsonObject)json["metadata"]!).ContainsKey("labels"));
    }

    [Fact]
    public void ParseDocuments_QuotedResourceVersion_IsReadAsANumber()
    {
        var obj = ObjectSerializer.ParseDocuments("apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: a, resourceVersion: \"12\"}\n").Single();

        Assert.Equal(12, obj.Metadata.ResourceVersion);
    }
}
