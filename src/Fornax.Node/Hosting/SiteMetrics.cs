using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Fornax.Node.Hosting;

/// <summary>Keeps a site's <c>/metrics</c> to the site's own instruments when several sites share a process.</summary>
internal static class SiteMetrics
{
    /// <summary>
    /// A view that drops every instrument not created through this site's <see cref="IMeterFactory"/>. Meter names are
    /// process-wide, so without it every site's meter provider also subscribed to every other site's Kestrel, hosting and
    /// function instruments: <c>/metrics</c> showed the whole process (tests, <c>fornax demo</c>, the tree bench), each
    /// measurement was recorded once per site, and creating a site's instruments cost O(sites) — ~30 % of the CPU while
    /// the 1,000-site bench was starting its 300th site (perf: <c>KestrelMetrics..ctor</c>).
    /// </summary>
    public static MeterProviderBuilder OwnInstrumentsOnly(MeterProviderBuilder metrics)
    {
        // The site's factory exists only once its container does, hence the deferred configuration.
        ((IDeferredMeterProviderBuilder)metrics).Configure((services, builder) =>
        {
            var own = services.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop);
        });
        return metrics;
    }
}
