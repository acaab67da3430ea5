using System.Net;
using System.Text.Json.Nodes;
using Fornax.Cli.Configuration;
using CliConfig = Fornax.Cli.Configuration.Config;

namespace Fornax.Cli.Commands.Kube;

/// <summary>
/// A kubeconfig with one cluster, user and context per site: the sites of the client config, or (<c>topology</c>)
/// those of the running topology <c>fornax up</c> recorded, each with the config's token and CA file for it. The
/// token is written only for a site off loopback, since a site trusts its own machine's clients.
/// </summary>
public static class Kubeconfig
{
    public static JsonObject Build(CliConfig config, bool topology)
    {
        var sites = topology
            ? (config.Topology?.Sites ?? throw new CliException("no running topology in the config (start one with fornax up)"))
                .Select(s => (s.Name, Url: s.Api, Entry: config.FindSite(s.Name)))
            : config.Sites.Select(s => (s.Name, s.Url, Entry: (SiteEntry?)s));
        var clusters = new JsonArray();
        var users = new JsonArray();
        var contexts = new JsonArray();
        foreach (var (name, url, entry) in sites)
        {
            var cluster = new JsonObject { ["server"] = url };
            if (entry?.CaFile is { } ca)
            {
                cluster["certificate-authority"] = ca;
            }

            var user = new JsonObject();
            if (entry?.Token is { } token && !OnLoopback(url))
            {
                user["token"] = token;
            }

            clusters.Add((JsonNode)new JsonObject { ["name"] = name, ["cluster"] = cluster });
            users.Add((JsonNode)new JsonObject { ["name"] = name, ["user"] = user });
            contexts.Add((JsonNode)new JsonObject { ["name"] = name, ["context"] = new JsonObject { ["cluster"] = name, ["user"] = name, ["namespace"] = "default" } });
        }

        if (contexts.Count == 0)
        {
            throw new CliException(topology ? "the running topology has no sites" : "the client config has no sites (fornax config set-site, or fornax up)");
        }

        var names = contexts.Select(c => c!["name"]!.ToString()).ToList();
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = clusters,
            ["users"] = users,
            ["contexts"] = contexts,
            ["current-context"] = config.CurrentSite is { } current && names.Contains(current) ? current : names[0],
        };
    }

    private static bool OnLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}
