using Fornax.Hierarchy.Links.Protocol;
using Fornax.Node.Hosting;
using Fornax.Node.Portal;
using Fornax.Node.Sites;
using Fornax.Portal;

namespace Fornax.Node.Tests;

/// <summary>What a peer may say about the service map: a child only about its subtree, a parent only about the rest.</summary>
public sealed class PortalMapExchangeTests
{
    private static (IServiceMap Map, PortalMapExchange Exchange) Region()
    {
        var map = ServiceMaps.Create(new PortalOptions("a/r"));
        var site = new LocalSite(new NodeOptions { DataDirectory = "unused", Name = "r" }, "a", "a");
        return (map, new PortalMapExchange(map, site));
    }

    private static PortalMap Announcing(params string[] paths)
    {
        var portal = new PortalMap();
        foreach (var path in paths)
        {
            portal.Announced.Add(new PortalSite { Path = path, PortalAddress = "127.0.0.1:1", Version = 1, Services = { "default/hello" } });
        }

        return portal;
    }

    [Fact]
    public void FromChild_AboutASiblingOrAnAncestor_IsDropped_AboutItsSubtree_IsTaken()
    {
        var (map, exchange) = Region();

        exchange.FromChild("a/r/e1", Announcing("a/r/e1", "a/r/e1/cam", "a/r/e2", "a", "a/r"));

        Assert.Equal(["a/r/e1", "a/r/e1/cam"], map.SitesServing(new ServiceKey("default", "hello")).Select(s => s.SitePath));
    }

    [Fact]
    public void FromParent_AboutThisSubtree_IsDropped()
    {
        var (map, exchange) = Region();

        exchange.FromParent(Announcing("a", "a/r", "a/r/e1", "a/west"));

        Assert.Equal(["a", "a/west"], map.SitesServing(new ServiceKey("default", "hello")).Select(s => s.SitePath));
    }

    [Fact]
    public void ChildOffline_MarksItsSubtreeOnly_AndForChildSendsItToTheOthers()
    {
        var (map, exchange) = Region();
        exchange.FromChild("a/r/e1", Announcing("a/r/e1"));
        exchange.FromChild("a/r/e2", Announcing("a/r/e2"));
        var before = map.Version;

        exchange.ChildOffline("a/r/e1");

        Assert.Equal([("a/r/e1", false), ("a/r/e2", true)], map.SitesServing(new ServiceKey("default", "hello")).Select(s => (s.SitePath, s.Healthy)));
        var toSibling = exchange.ForChild("a/r/e2", before, out _);
        Assert.Equal(new Dictionary<string, bool> { ["a/r/e1"] = false }, toSibling!.Health);
        Assert.Null(exchange.ForChild("a/r/e1", before, out _));
    }

    [Fact]
    public void FromChild_MalformedServiceName_IsDroppedAndTheRestTaken()
    {
        var (map, exchange) = Region();
        var portal = Announcing("a/r/e1");
        portal.Announced[0].Services.Add("no-slash");
        portal.Announced[0].Services.Add("/x");

        exchange.FromChild("a/r/e1", portal);

        Assert.Equal([new ServiceKey("default", "hello")], map.Services);
    }
}
