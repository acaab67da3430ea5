using Fornax.Node.Hosting;

namespace Fornax.Cli.Commands.Node;

/// <summary>
/// The site host of the real process. <c>SiteNodeHost.cs</c> (left out of the build until
/// <c>Fornax.Node.SiteNode</c> lands) supplies it through <see cref="CreateSiteNodeHost"/>; until then
/// <c>node run</c> and <c>demo</c> report that this build has no site.
/// </summary>
public static partial class SiteHosts
{
    /// <summary>True once <c>SiteNodeHost.cs</c> is compiled in.</summary>
    public static bool IsAvailable => Default is not Unavailable;

    public static ISiteHost Default
    {
        get
        {
            ISiteHost? host = null;
            CreateSiteNodeHost(ref host);
            return host ?? new Unavailable();
        }
    }

    static partial void CreateSiteNodeHost(ref ISiteHost? host);

    private sealed class Unavailable : ISiteHost
    {
        public Task<IRunningSite> StartAsync(NodeOptions options, CancellationToken ct) =>
            throw new CliException("this build of fornax cannot run a site yet: Fornax.Node.SiteNode is not in it (enable Commands/Node/SiteNodeHost.cs in Fornax.Cli.csproj)");
    }
}
