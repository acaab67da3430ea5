using Fornax.Hierarchy.Links;
using Fornax.Node.Hosting;
using Fornax.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fornax.Node.Scheduling;

/// <summary>Wires the scheduler into a site: its options (capacity from the site config), the load tracker, the board of other sites' load, the planner, and the load's exchange over the links.</summary>
public static class SchedulingHostingExtensions
{
    public static IServiceCollection AddFornaxScheduling(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var node = sp.GetRequiredService<NodeOptions>();
            var options = new SchedulingOptions
            {
                Capacity = node.Capacity > 0 ? node.Capacity : Environment.ProcessorCount,
                // A figure is stale once its site missed as many heartbeats as make a child offline, and a few relays more.
                StaleAfter = node.HeartbeatInterval * Math.Max(1, node.MissedHeartbeats) * 2,
                TimeProvider = node.TimeProvider,
            };
            options = node.ConfigureScheduling?.Invoke(options) ?? options;
            options.Validate();
            return options;
        });
        services.TryAddSingleton(sp => ILoadTracker.Create(sp.GetRequiredService<SchedulingOptions>()));
        // A configured capacity is a hard limit (invocations beyond it wait); one derived from the cores is what the cores give anyway.
        services.TryAddSingleton(sp => new CapacitySlots(sp.GetRequiredService<SchedulingOptions>().Capacity, enforced: sp.GetRequiredService<NodeOptions>().Capacity > 0));
        services.TryAddSingleton(sp => new LoadBoard(sp.GetRequiredService<SchedulingOptions>()));
        services.TryAddSingleton(sp => new SpillPlanner(sp.GetRequiredService<SchedulingOptions>()));
        services.TryAddSingleton<ILoadExchange, LoadExchange>();
        services.TryAddSingleton<SpillMetrics>();
        services.TryAddSingleton<SpillRouter>();
        return services;
    }
}
