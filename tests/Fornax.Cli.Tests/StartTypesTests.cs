using System.Collections;
using System.Reflection;
using System.Xml.Linq;

namespace Fornax.Cli.Tests;

/// <summary>
/// The release build compiles in the generic types a site's dependency-injection container closes over at start
/// (src/Fornax.Cli/Properties/PublishProfiles/start-types.rd.xml): Native AOT otherwise builds each at run time, which
/// took about a sixth of the start's CPU. A type missing from the list still works, only slower; this test names it.
/// </summary>
public sealed class StartTypesTests
{
    /// <summary>The open generic implementations the container closes with MakeGenericType (Logger&lt;T&gt;, the options types, gRPC's binders).</summary>
    private static readonly string[] ClosedAtRunTime =
    [
        "Microsoft.Extensions.Logging.Logger`1", "Microsoft.Extensions.Options.OptionsFactory`1", "Microsoft.Extensions.Options.UnnamedOptionsManager`1",
        "Microsoft.Extensions.Options.OptionsMonitor`1", "Microsoft.Extensions.Options.OptionsCache`1",
        "Microsoft.Extensions.Logging.Configuration.LoggerProviderConfiguration`1", "Grpc.AspNetCore.Server.",
    ];

    [Fact]
    public async Task EveryGenericType_TheStartClosesOverAtRunTime_IsCompiledIntoTheReleaseBuild()
    {
        await using var site = await RealSite.StartAsync();
        var listed = Listed();

        var missing = ClosedAtStart(site.Node.Services).Where(t => !listed.Contains(t)).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0, "add to start-types.rd.xml (each inside its <Assembly>):\n" + string.Join('\n', missing));
    }

    /// <summary>The rd.xml's types as "Assembly|Type[[Argument,ArgumentAssembly]]".</summary>
    private static HashSet<string> Listed()
    {
        var file = Path.Combine(RepositoryFolders.Root(), "src", "Fornax.Cli", "Properties", "PublishProfiles", "start-types.rd.xml");
        var ns = XNamespace.Get("http://schemas.microsoft.com/netfx/2013/01/metadata");
        return XDocument.Load(file).Descendants(ns + "Assembly")
            .SelectMany(a => a.Elements(ns + "Type").Select(t => $"{a.Attribute("Name")!.Value}|{t.Attribute("Name")!.Value}"))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The closed implementation types of the call sites the container built while the site started, read from its
    /// cache (the container has no public view of it; a change of its internals fails this test with a message, not silently).
    /// </summary>
    private static IEnumerable<string> ClosedAtStart(IServiceProvider services)
    {
        var factory = services.GetType().GetProperty("CallSiteFactory", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(services);
        var cache = factory?.GetType().GetField("_callSiteCache", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(factory) as IDictionary;
        Assert.True(cache is not null, "Microsoft.Extensions.DependencyInjection's ServiceProvider.CallSiteFactory._callSiteCache is gone: update this test");
        foreach (DictionaryEntry entry in cache)
        {
            if (entry.Value!.GetType().GetProperty("ImplementationType", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(entry.Value) is Type { IsConstructedGenericType: true } type
                && ClosedAtRunTime.Any(prefix => type.GetGenericTypeDefinition().FullName!.StartsWith(prefix, StringComparison.Ordinal)))
            {
                yield return $"{type.Assembly.GetName().Name}|{RdXmlName(type)}";
            }
        }
    }

    private static string RdXmlName(Type type) =>
        type.IsConstructedGenericType
            ? $"{type.GetGenericTypeDefinition().FullName}[{string.Join(',', type.GetGenericArguments().Select(a => $"[{RdXmlName(a)},{a.Assembly.GetName().Name}]"))}]"
            : type.FullName!;
}
