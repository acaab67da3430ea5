using Fornax.Core.Objects;

namespace Fornax.Testing;

/// <summary>The small trees and the mission texts that tests of replicated state start from, written once.</summary>
public static class TestTrees
{
    /// <summary>A cloud site with two edge sites, <c>a</c> and <c>b</c>, under it.</summary>
    public static Topology CloudWithTwoEdges() => new()
    {
        Metadata = new ObjectMeta { Name = "two-edges" },
        Spec = new TopologySpec
        {
            Sites =
            [
                new TopologySite { Name = "cloud", Tier = SiteTiers.Cloud },
                new TopologySite { Name = "a", Parent = "cloud", Tier = SiteTiers.Edge },
                new TopologySite { Name = "b", Parent = "cloud", Tier = SiteTiers.Edge },
            ],
        },
    };

    /// <summary>A Mission named <paramref name="name"/> carrying one Keyspace of the same name, placed at <paramref name="sites"/> (a YAML flow list's items, e.g. <c>a, b</c>).</summary>
    public static string KeyspaceMission(string name, string prefix, string sites) => $$"""
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: {{name}}}
        spec:
          content:
            - apiVersion: fornax.io/v1
              kind: Keyspace
              metadata: {name: {{name}}}
              spec:
                prefix: "{{prefix}}"
                placement: {sites: [{{sites}}]}
        """;
}
