using System.Reflection;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Hosting;

namespace Fornax.Node.Tests;

/// <summary>
/// The product does not ship its test harness, and the tree engine stays free of the web server: read from the compiled
/// assemblies, which name only what their code uses.
/// </summary>
public sealed class LayeringTests
{
    [Fact]
    public void ProductAssemblies_ReferenceNothingOfFornaxTesting()
    {
        var product = Closure(typeof(SiteNode).Assembly);

        Assert.Contains("Fornax.Hierarchy", product.Keys);
        Assert.All(product, a => Assert.DoesNotContain(a.Value.GetReferencedAssemblies(), r => r.Name == "Fornax.Testing"));
    }

    [Fact]
    public void Hierarchy_UsesNoAspNetCoreType()
    {
        var references = typeof(SiteIdentity).Assembly.GetReferencedAssemblies().Select(r => r.Name!).ToList();

        Assert.Contains("System.Net.Security", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    /// <summary>The Fornax assemblies <paramref name="root"/> reaches, by name.</summary>
    private static Dictionary<string, Assembly> Closure(Assembly root)
    {
        var found = new Dictionary<string, Assembly> { [root.GetName().Name!] = root };
        var pending = new Queue<Assembly>([root]);
        while (pending.TryDequeue(out var assembly))
        {
            foreach (var name in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Fornax.", StringComparison.Ordinal)))
            {
                if (!found.ContainsKey(name.Name!))
                {
                    var loaded = Assembly.Load(name);
                    found[name.Name!] = loaded;
                    pending.Enqueue(loaded);
                }
            }
        }

        return found;
    }
}
