using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fornax.Cli.Commands.Node;
using Fornax.Core.Objects;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;


/// <summary>Planning: each site's ports and folder from the file order, and the checks that they are free.</summary>
internal sealed partial class UpCommand
{
    /// <summary>One site of the plan: its ports and folder from the file order, then what starting it found out.</summary>
    private sealed class PlannedSite(TopologySite spec, PlannedSite? parent, int index, int basePort, string dataDir)
    {
        public TopologySite Spec { get; } = spec;

        public PlannedSite? Parent { get; } = parent;

        /// <summary>A user token for this site's API, recorded in the client config.</summary>
        public string? UserToken { get; set; }

        public string Path { get; } = parent is null ? spec.Name : $"{parent.Path}/{spec.Name}";

        public int Depth { get; } = parent is null ? 0 : parent.Depth + 1;

        public int ApiPort { get; } = basePort + (index * PortsPerSite);

        public int IngressPort => ApiPort + 1;

        public int RespPort => ApiPort + 2;

        /// <summary>The RESP endpoint the site reports in <c>/api/site</c> (null while it serves none: nothing is printed for it).</summary>
        public string? ServedResp { get; set; }

        public int LinkPort => ApiPort + 3;

        public string Api => $"http://127.0.0.1:{ApiPort}";

        public string DataDir { get; } = System.IO.Path.Combine(dataDir, spec.Name);

        public string LogFile => System.IO.Path.Combine(DataDir, "node.log");

        /// <summary>Where the site reads its join token (<c>--token-file</c>) until it has joined.</summary>
        public string JoinTokenFile => System.IO.Path.Combine(DataDir, "join-token");

        public Process? Process { get; set; }

        public int Pid { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public bool Waiting { get; set; }

        public string WaitingFor { get; set; } = "";
    }

    private static List<PlannedSite> Plan(Topology topology, int basePort, string dataDir)
    {
        var specs = topology.Spec.Sites!;
        var planned = new Dictionary<string, PlannedSite>();
        // Parents before children, ports by file order (validation guarantees a tree).
        while (planned.Count < specs.Count)
        {
            foreach (var (spec, index) in specs.Select((s, i) => (s, i)))
            {
                if (planned.ContainsKey(spec.Name) || (spec.Parent is { Length: > 0 } p && !planned.ContainsKey(p)))
                {
                    continue;
                }

                var site = new PlannedSite(spec, spec.Parent is { Length: > 0 } parent ? planned[parent] : null, index, basePort, dataDir);
                planned[spec.Name] = site;
            }
        }

        return [.. specs.Select(s => planned[s.Name])];
    }

    private static IEnumerable<List<PlannedSite>> Levels(List<PlannedSite> plan) =>
        plan.GroupBy(s => s.Depth).OrderBy(g => g.Key).Select(g => g.ToList());

    private static void CheckDataDirectoriesFree(IEnumerable<PlannedSite> sites)
    {
        foreach (var site in sites)
        {
            var pidFile = System.IO.Path.Combine(site.DataDir, NodeCommand.PidFileName);
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid) && SiteProcesses.IsRunning(pid, null) && IsFornax(pid))
            {
                throw new CliException($"site {site.Spec.Name}'s data directory {site.DataDir} is in use by process {pid}; stop it first");
            }
        }
    }

    private static void CheckPortsFree(IReadOnlyCollection<PlannedSite> plan, int basePort)
    {
        foreach (var site in plan)
        {
            foreach (var (what, port) in new[] { ("API", site.ApiPort), ("ingress", site.IngressPort), ("RESP", site.RespPort), ("link", site.LinkPort) })
            {
                try
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException)
                {
                    throw new CliException(
                        $"port {port} (the {what} port of site {site.Spec.Name}) is in use on 127.0.0.1",
                        [$"the sites take {PortsPerSite} ports each from {basePort}; pick another base with --base-port or spec.basePort"]);
                }
            }
        }
    }

    private static bool IsFornax(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("node\0run", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
