using System.Reflection;
using Fornax.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Tests;

/// <summary>
/// An event id names one kind of log line in an assembly: operators filter and alert on them, so two messages sharing
/// one (as the portal's and the storage monitor's once did) make a filter catch the wrong thing.
/// </summary>
public sealed class LogEventIdTests
{
    public static TheoryData<string> FornaxAssemblies()
    {
        var names = new TheoryData<string>();
        foreach (var name in typeof(SiteNode).Assembly.GetReferencedAssemblies().Select(a => a.Name!).Append(typeof(SiteNode).Assembly.GetName().Name!)
            .Where(n => n.StartsWith("Fornax.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            names.Add(name);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(FornaxAssemblies))]
    public void LoggerMessages_InOneAssembly_HaveDistinctEventIds(string assembly)
    {
        var messages = Assembly.Load(assembly).GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        var shared = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();

        Assert.Empty(shared);
    }
}
