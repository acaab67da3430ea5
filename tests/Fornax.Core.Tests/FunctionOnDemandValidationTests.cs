using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Tests;

/// <summary><c>spec.scheduling.onDemand</c>: a boolean, and only with a policy that lets an invocation leave its site.</summary>
public sealed class FunctionOnDemandValidationTests
{
    [Theory]
    [InlineData("spill")]
    [InlineData("cloud")]
    public void Parse_OnDemandWithAPolicyThatSpills_IsKept(string policy)
    {
        var function = (Function)Assert.Single(ObjectSerializer.ParseDocuments(Yaml($"{{policy: {policy}, onDemand: true}}")));

        Assert.True(function.Spec.Scheduling!.OnDemand);
    }

    [Fact]
    public void Parse_OnDemandWithPolicyLocal_NamesTheField()
    {
        var error = Assert.Single(Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments(Yaml("{policy: local, onDemand: true}"))).Errors);

        Assert.Equal("spec.scheduling.onDemand", error.Path);
        Assert.Contains("needs policy spill or cloud", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OnDemandNotABoolean_NamesTheField()
    {
        var error = Assert.Single(Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments(Yaml("{onDemand: sometimes}"))).Errors);

        Assert.Equal("spec.scheduling.onDemand", error.Path);
    }

    private static string Yaml(string scheduling) => $"""
        apiVersion: fornax.io/v1
        kind: Function
        metadata: {"{name: f}"}
        spec: {"{"}module: a.wasm, scheduling: {scheduling}{"}"}
        """;
}
