using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Tests;

public sealed class ValidationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    public void Durations_TryParse_ReadsGoStyle(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("soon")]
    [InlineData("5 m")]
    [InlineData("-5s")]
    public void Durations_TryParse_RefusesOtherText(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData("10Mbit", 10_000_000)]
    [InlineData("512kbit", 512_000)]
    [InlineData("1Gbit", 1_000_000_000)]
    public void Bandwidths_TryParse_ReadsTcStyle(string text, long bits)
    {
        Assert.True(Bandwidths.TryParse(text, out var value));
        Assert.Equal(bits, value);
    }

    [Theory]
    [InlineData(64, "a name has 64 characters, at most 63 are allowed")]
    [InlineData(100, "a name has 100 characters, at most 63 are allowed")]
    public void Validate_NameOver63Characters_SaysSo(int length, string expected)
    {
        var obj = ObjectSerializer.ParseDocuments($"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: {new string('n', length)}}}\n", validate: false)[0];

        var error = Assert.Single(ObjectValidator.Validate(obj));

        Assert.Equal("metadata.name", error.Path);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DottedNameWithALongPart_NamesThePart()
    {
        var part = new string('p', 70);
        var obj = ObjectSerializer.ParseDocuments($"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: shop.{part}}}\n", validate: false)[0];

        var error = Assert.Single(ObjectValidator.Validate(obj));

        Assert.Contains($"its part \"{part}\" has 70 characters, at most 63", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadNamesAndLabels_ReportsEveryProblem()
    {
        var cm = new ConfigMap
        {
            ApiVersion = "v1",
            Metadata = new ObjectMeta { Name = "Bad_Name", Namespace = "no/slash", Labels = new() { ["ok"] = "-bad-" } },
            Data = new() { ["bad key"] = "v" },
        };

        var errors = ObjectValidator.Validate(cm).Select(e => e.Path).ToArray();

        Assert.Equal(["apiVersion", "metadata.name", "metadata.namespace", "metadata.labels[ok]", "data[bad key]"], errors);
    }

    [Fact]
    public void Validate_Topology_FindsMissingParentsAndTwoRoots()
    {
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Topology
            metadata: {name: t}
            spec:
              sites:
                - {name: a}
                - {name: b}
                - {name: c, parent: nowhere, link: {latency: 40ms, bandwidth: fast, loss: 2}}
            """));

        var paths = e.Errors.Select(x => x.Path).ToArray();
        Assert.Contains("spec.sites", paths);
        Assert.Contains("spec.sites[2].parent", paths);
        Assert.Contains("spec.sites[2].link.bandwidth", paths);
        Assert.Contains("spec.sites[2].link.loss", paths);
    }

    [Fact]
    public void Validate_MissionWithoutContentOrCommand_IsRefused()
    {
        var mission = new Mission { Metadata = new ObjectMeta { Name = "empty" } };

        var error = Assert.Single(ObjectValidator.Validate(mission));

        Assert.Equal("spec", error.Path);
    }

    [Fact]
    public void Placement_Selects_RequiresBothSitesAndSelector()
    {
        var placement = new Placement
        {
            Sites = ["east-1", "cloud/west/west-1"],
            Selector = new() { MatchLabels = new() { ["tier"] = "edge" } },
        };
        var edge = new Dictionary<string, string> { ["tier"] = "edge" };

        Assert.True(placement.Selects("east-1", "cloud/east/east-1", edge));
        Assert.True(placement.Selects("west-1", "cloud/west/west-1", edge));
        Assert.False(placement.Selects("east-2", "cloud/east/east-2", edge));
        Assert.False(placement.Selects("east-1", "cloud/east/east-1", new Dictionary<string, string>()));
        Assert.True(new Placement().Selects("anything", "a/b", null));
    }

    [Fact]
    public void Kinds_Find_AcceptsEveryNameKubectlWould()
    {
        foreach (var name in new[] { "Mission", "mission", "missions", "ms", "MISSIONS" })
        {
            Assert.Equal("Mission", Kinds.Find(name)?.Kind);
        }

        Assert.Equal("ConfigMap", Kinds.Find("cm")?.Kind);
        Assert.Null(Kinds.Find("pods"));
    }
}
