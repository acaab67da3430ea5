namespace Fornax.Cli.Commands.Node;

/// <summary>The site host of the real process: a <c>SiteNode</c> in this process. Tests swap in their own.</summary>
public static class SiteHosts
{
    public static ISiteHost Default => new SiteNodeHost();
}
