using System.CommandLine;
using Fornax.Cli.Api;

namespace Fornax.Cli.Configuration;

/// <summary>One site to talk to, resolved from <c>--site</c> and the config.</summary>
public sealed record SiteTarget(string Url, string? Name = null, string? Token = null, string? CaFile = null, string? ClientCert = null)
{
    /// <summary>The URL without a trailing slash, as error messages show it.</summary>
    public string DisplayUrl => Url.TrimEnd('/');
}

/// <summary>
/// Resolves <c>--site</c>: a URL is used as it is; a name is looked up in the config; with neither, the config's
/// <c>currentSite</c>, else <see cref="Config.DefaultSiteUrl"/>.
/// </summary>
internal sealed class SiteTargets(CliContext context, Option<string> siteOption)
{
    public string ConfigPath => Config.PathFor(context.GetEnvironmentVariable, context.HomeDirectory);

    public SiteTarget Resolve(ParseResult parse) => Resolve(parse.GetValue(siteOption));

    public SiteTarget Resolve(string? site)
    {
        if (IsUrl(site))
        {
            return new SiteTarget(site!);
        }

        var path = ConfigPath;
        var config = Config.Load(path);
        if (site is { Length: > 0 })
        {
            var entry = config.FindSite(site)
                ?? throw new CliException($"site \"{site}\" is not in the config {path} (known: {config.KnownNames()}); give a URL such as http://127.0.0.1:7100 or add it with 'fornax config set-site'");
            return FromEntry(entry);
        }

        if (config.CurrentSite is { Length: > 0 } current && config.FindSite(current) is { } currentEntry)
        {
            return FromEntry(currentEntry);
        }

        return new SiteTarget(Config.DefaultSiteUrl);
    }

    public SiteClient Connect(ParseResult parse) => Connect(Resolve(parse));

    public SiteClient Connect(SiteTarget target) => new(context.HttpClientFactory(target), target);

    public static bool IsUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static SiteTarget FromEntry(SiteEntry entry) => new(entry.Url, entry.Name, entry.Token, entry.CaFile, entry.ClientCert);
}
