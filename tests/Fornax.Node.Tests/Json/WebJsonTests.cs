using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Serialization;

namespace Fornax.Node.Tests.Json;

/// <summary>
/// The site's answers go through the source-generated <see cref="WebJson"/> (Native AOT has no reflection-based
/// JSON): they must be byte for byte what the reflection-based serializer with the web defaults (what
/// <c>Results.Json</c> used without options) and with <c>JsonSerializer</c>'s own defaults (the watch lines, the
/// dashboard's events) wrote.
/// </summary>
public sealed class WebJsonTests
{
    private const string Golden =
        """{"apiVersion":"v1","kind":"Status","status":"Failure","code":409,"reason":"Conflict","message":"mission \u0022caf\u00E9\u0022 \u003Cb\u003E \u0026 \u2014 \uD83D\uDE80","details":{"causes":[{"field":"spec.replicas","count":9007199254740993,"ratio":0.1,"on":true,"none":null}]}}""";

    private static JsonObject RepresentativeAnswer() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Status",
        ["status"] = "Failure",
        ["code"] = 409,
        ["reason"] = "Conflict",
        ["message"] = "mission \"café\" <b> & — 🚀",
        ["details"] = new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject
            {
                ["field"] = "spec.replicas",
                ["count"] = 9007199254740993L,
                ["ratio"] = 0.1,
                ["on"] = true,
                ["none"] = null,
            }),
        },
    };

    [Fact]
    public void AnAnswer_IsTheGoldenText()
    {
        Assert.Equal(Golden, JsonSerializer.Serialize(RepresentativeAnswer(), WebJson.Default.JsonObject));
    }

    [Fact]
    public void AnAnswer_IsWhatTheReflectionBasedSerializerWrote()
    {
        var answer = RepresentativeAnswer();
        var generated = JsonSerializer.Serialize(answer, WebJson.Default.JsonObject);

        Assert.Equal(JsonSerializer.Serialize(answer, new JsonSerializerOptions(JsonSerializerDefaults.Web)), generated);
        Assert.Equal(JsonSerializer.Serialize(answer), generated);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes((JsonNode)answer), JsonSerializer.SerializeToUtf8Bytes((JsonNode)answer, WebJson.Default.JsonNode));
    }

    [Fact]
    public void AnAnswer_ReadsBackAsTheWebDefaultsReadIt()
    {
        var read = JsonSerializer.Deserialize(Golden, WebJson.Default.JsonObject)!;

        Assert.Equal("Failure", read["STATUS"]!.GetValue<string>()); // the web defaults read names case-insensitively
        Assert.True(JsonNode.DeepEquals(RepresentativeAnswer(), read));
    }
}
