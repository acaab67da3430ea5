using System.CommandLine;
using Fornax.Cli.Configuration;

namespace Fornax.Cli.Commands.Config;

/// <summary><c>fornax config view|use-site|set-site</c>: the client config file.</summary>
internal sealed class ConfigCommand : Command
{
    private readonly CliContext _context;

    public ConfigCommand(CliContext context)
        : base("config", "Show or change the client config (~/.fornax/config, or $FORNAX_CONFIG)")
    {
        _context = context;
        Subcommands.Add(View());
        Subcommands.Add(UseSite());
        Subcommands.Add(SetSite());
    }

    private string ConfigPath => Configuration.Config.PathFor(_context.GetEnvironmentVariable, _context.HomeDirectory);

    private Command View()
    {
        var raw = new Option<bool>("--raw") { Description = "Show tokens instead of REDACTED" };
        var command = new Command("view", "Print the config") { raw };
        command.SetAction(parse =>
        {
            var config = Configuration.Config.Load(ConfigPath);
            _context.WriteRaw($"# {ConfigPath}\n" + config.ToYaml(redactSecrets: !parse.GetValue(raw)));
            return ExitCodes.Success;
        });
        return command;
    }

    private Command UseSite()
    {
        var name = new Argument<string>("NAME") { Description = "A site name from the config" };
        var command = new Command("use-site", "Make a site the default for every command") { name };
        command.SetAction(parse =>
        {
            var path = ConfigPath;
            var config = Configuration.Config.Load(path);
            var site = parse.GetValue(name)!;
            var entry = config.FindSite(site)
                ?? throw new CliException($"site \"{site}\" is not in the config {path} (known: {config.KnownNames()})");
            config.CurrentSite = entry.Name;
            config.Save(path);
            _context.WriteRaw($"switched to site \"{entry.Name}\" ({entry.Url})");
            return ExitCodes.Success;
        });
        return command;
    }

    private Command SetSite()
    {
        var name = new Argument<string>("NAME") { Description = "The site's name" };
        var url = new Option<string>("--url") { Description = "The site's API URL, e.g. http://127.0.0.1:7100", Required = true };
        var token = new Option<string>("--token") { Description = "A bearer token" };
        var caFile = new Option<string>("--ca-file") { Description = "PEM file of the tree's CA" };
        var clientCert = new Option<string>("--client-cert") { Description = "PEM file with a client certificate and key" };
        var command = new Command("set-site", "Add a site to the config, or change it") { name, url, token, caFile, clientCert };
        command.SetAction(parse =>
        {
            var path = ConfigPath;
            var config = Configuration.Config.Load(path);
            var entry = new SiteEntry
            {
                Name = parse.GetValue(name)!,
                Url = parse.GetValue(url)!,
                Token = parse.GetValue(token),
                CaFile = FullPath(parse.GetValue(caFile)),
                ClientCert = FullPath(parse.GetValue(clientCert)),
            };
            config.SetSite(entry);
            if (config.Validate() is [var problem, ..])
            {
                throw new CliException($"not saved: {problem}");
            }

            config.CurrentSite ??= entry.Name;
            config.Save(path);
            _context.WriteRaw($"site \"{entry.Name}\" set to {entry.Url}{(config.CurrentSite == entry.Name ? " (current)" : "")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private string? FullPath(string? path) => path is null ? null : Path.GetFullPath(path, _context.CurrentDirectory);
}
