using System.CommandLine;
using Fornax.Cli.Configuration;
using Fornax.Core.Objects;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;

using Config = Fornax.Cli.Configuration.Config;

/// <summary>Recording the running topology in the client config.</summary>
internal sealed partial class UpCommand
{
    private void Record(Config config, string configPath, Topology topology, string file, string dataDir, string? heartbeat, List<PlannedSite> plan)
    {
        // Reload: another command may have written the config while the sites started.
        var fresh = Config.Load(configPath);
        var entry = new TopologyEntry
        {
            Name = topology.Metadata.Name,
            DataDir = dataDir,
            File = file,
            Heartbeat = heartbeat,
            PreviousCurrentSite = config.Topology is null ? fresh.CurrentSite : config.Topology.PreviousCurrentSite,
            Sites = [.. plan.OrderBy(p => p.Depth).Select(p => new RunningSiteEntry
            {
                Name = p.Spec.Name,
                Parent = p.Parent?.Spec.Name,
                Tier = p.Spec.Tier,
                Api = p.Api,
                Ingress = $"http://127.0.0.1:{p.IngressPort}",
                Resp = $"redis://127.0.0.1:{p.RespPort}",
                Link = $"https://127.0.0.1:{p.LinkPort}",
                Pid = p.Pid,
                StartedAt = p.StartedAt,
                DataDir = p.DataDir,
            })],
        };
        fresh.Topology = entry;
        foreach (var site in plan)
        {
            fresh.SetSite(new SiteEntry { Name = site.Spec.Name, Url = site.Api, Token = site.UserToken });
        }

        fresh.CurrentSite = plan.First(p => p.Parent is null).Spec.Name;
        fresh.Save(configPath);
    }

    /// <summary>Drops a topology's record: its site entries (those still pointing at its URLs) and the current site it set.</summary>
    internal static void Forget(Config config, TopologyEntry recorded)
    {
        foreach (var site in recorded.Sites)
        {
            if (config.FindSite(site.Name) is { } entry && entry.Url.TrimEnd('/') == site.Api.TrimEnd('/'))
            {
                config.Sites.Remove(entry);
            }
        }

        if (config.CurrentSite is { } current && config.FindSite(current) is null)
        {
            config.CurrentSite = recorded.PreviousCurrentSite is { } previous && config.FindSite(previous) is not null ? previous : null;
        }

        config.Topology = null;
    }
}
