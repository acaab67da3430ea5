using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Tests;

public sealed class KeyspaceTests
{
    [Fact]
    public void Parse_KeyspaceInAMission_ReadsPrefixAndPlacement()
    {
        var mission = Assert.IsType<Mission>(Assert.Single(ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: carts}
            spec:
              content:
                - apiVersion: fornax.io/v1
                  kind: Keyspace
                  metadata: {name: carts}
                  spec:
                    prefix: "cart:"
                    placement:
                      sites: [shop-1]
                      selector: {matchLabels: {fornax.io/tier: edge}}
            """)));
        var keyspace = Assert.IsType<Keyspace>(Assert.Single(mission.Spec.Content!));
        Assert.Equal("cart:", keyspace.Spec.Prefix);
        Assert.Equal(["shop-1"], keyspace.Spec.Placement!.Sites!);
        Assert.True(keyspace.Spec.Placement.Selects("shop-1", "cloud/east/shop-1", new Dictionary<string, string> { ["fornax.io/tier"] = "edge" }));
        Assert.Equal("keyspaces", Kinds.Get("ks").Plural);
    }

    [Theory]
    [InlineData("", "spec.prefix", "required")]
    [InlineData("cart:*", "spec.prefix", "is a literal prefix, not a pattern")]
    public void Validate_BadPrefix_NamesTheField(string prefix, string path, string message)
    {
        var keyspace = new Keyspace { Metadata = new ObjectMeta { Name = "k" }, Spec = new KeyspaceSpec { Prefix = prefix } };
        var error = Assert.Single(ObjectValidator.Validate(keyspace));
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Validate_BadPlacement_NamesTheField()
    {
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Keyspace
            metadata: {name: k}
            spec:
              prefix: "p:"
              placement: {sites: ["Not A Site"]}
            """));
        Assert.Equal("spec.placement.sites[0]", Assert.Single(e.Errors).Path);
    }
}
