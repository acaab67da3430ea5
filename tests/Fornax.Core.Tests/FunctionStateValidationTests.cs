using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Tests;

/// <summary><c>spec.state</c> of a Function: each mistake is refused with the field and the value named.</summary>
public sealed class FunctionStateValidationTests
{
    private static ObjectValidationException Refused(string state) =>
        Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments($"""
            apiVersion: fornax.io/v1
            kind: Function
            metadata: {"{name: f}"}
            spec: {"{"}module: a.wasm, state: {state}{"}"}
            """));

    [Theory]
    [InlineData("{keyspaces: [carts], access: write}", "spec.state.access", "\"write\" is not one of read, readwrite")]
    [InlineData("{access: read}", "spec.state.keyspaces", "required: the names of the Keyspace objects the function may use")]
    [InlineData("{keyspaces: []}", "spec.state.keyspaces", "required:")]
    [InlineData("{keyspaces: [carts, Carts_2]}", "spec.state.keyspaces[1]", "\"Carts_2\" is not a valid name")]
    [InlineData("{keyspaces: [carts, carts]}", "spec.state.keyspaces[1]", "\"carts\" is listed twice")]
    [InlineData("{keyspaces: [\"\"]}", "spec.state.keyspaces[0]", "must not be empty")]
    public void Parse_BadState_NamesTheField(string state, string path, string message)
    {
        var error = Assert.Single(Refused(state).Errors);

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeventeenKeyspaces_AreMoreThanTheLimit()
    {
        var names = string.Join(", ", Enumerable.Range(0, FunctionState.MaxKeyspaces + 1).Select(i => $"k{i}"));

        var error = Assert.Single(Refused($"{{keyspaces: [{names}]}}").Errors);

        Assert.Equal(("spec.state.keyspaces", "17 keyspaces are more than the 16 a function may bind"), (error.Path, error.Message));
    }

    [Fact]
    public void Parse_GoodState_KeepsKeyspacesAndAccess()
    {
        var function = Assert.IsType<Function>(Assert.Single(ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Function
            metadata: {name: f}
            spec: {module: a.wasm, state: {keyspaces: [carts, visits], access: read}}
            """)));

        Assert.Equal(["carts", "visits"], function.Spec.State!.Keyspaces!);
        Assert.Equal(FunctionStateAccess.Read, function.Spec.State.Access);
    }

    [Theory]
    [InlineData("nearest")]
    [InlineData("Spill")]
    public void Parse_UnknownSchedulingPolicy_NamesTheFieldAndTheChoices(string policy)
    {
        var error = Assert.Single(Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments($"""
            apiVersion: fornax.io/v1
            kind: Function
            metadata: {"{name: f}"}
            spec: {"{"}module: a.wasm, scheduling: {"{"}policy: {policy}{"}}"}
            """)).Errors);

        Assert.Equal(("spec.scheduling.policy", $"\"{policy}\" is not one of local, spill, cloud"), (error.Path, error.Message));
    }
}
