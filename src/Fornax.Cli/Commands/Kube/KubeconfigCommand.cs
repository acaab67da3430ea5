using System.CommandLine;
using Fornax.Core.Serialization;

namespace Fornax.Cli.Commands.Kube;

/// <summary><c>fornax kubeconfig [--topology] [--out FILE]</c>: a kubeconfig so kubectl can ask any site (docs/kubectl.md).</summary>
internal sealed class KubeconfigCommand : Command
{
    public KubeconfigCommand(CliContext context)
        : base("kubeconfig", "Write a kubeconfig with one context per site, for kubectl")
    {
        var topology = new Option<bool>("--topology") { Description = "The sites of the running topology (fornax up), not of the client config" };
        var output = new Option<string>("--out") { Description = "Write to FILE (mode 600, it may hold tokens) instead of printing" };
        Options.Add(topology);
        Options.Add(output);
        SetAction(parse =>
        {
            var config = Configuration.Config.Load(Configuration.Config.PathFor(context.GetEnvironmentVariable, context.HomeDirectory));
            var yaml = YamlJson.ToYaml(Kubeconfig.Build(config, parse.GetValue(topology)));
            if (parse.GetValue(output) is not { } file)
            {
                context.WriteRaw(yaml);
                return ExitCodes.Success;
            }

            var path = Path.GetFullPath(file, context.CurrentDirectory);
            File.WriteAllText(path, "");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(path, yaml);
            context.WriteRaw($"wrote {path}");
            return ExitCodes.Success;
        });
    }
}
