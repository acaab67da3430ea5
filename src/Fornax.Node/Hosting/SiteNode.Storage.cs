using System.Text.Json;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Hosting;

// A full disk at start: the store opens read-only (Fornax.Store), and every other write a start makes is skipped with a
// log line instead of stopping the site, so it still serves reads. What the site records about itself is written again
// once writes resume (StorageMonitor).
public sealed partial class SiteNode
{
    /// <summary>Writes what a start records about this site: its own <c>Site</c> object and <c>DATA/endpoints.json</c>.</summary>
    internal async Task RecordStartAsync(CancellationToken ct)
    {
        await RegisterAsync(ct);
        await WriteEndpointsFileAsync(ct);
    }

    private Task RegisterAsync(CancellationToken ct) => TolerateFullDiskAsync(
        "registering this site's Site object (its endpoints)",
        () => SiteRegistration.RegisterAsync(_store, _app.Services.GetRequiredService<LocalSite>(), Endpoints, Options.TimeProvider, ct));

    private Task WriteEndpointsFileAsync(CancellationToken ct)
    {
        var path = Path.Combine(Options.DataDirectory, "endpoints.json");
        return TolerateFullDiskAsync($"writing {path}", async () =>
        {
            var temp = path + ".tmp";
            var json = JsonSerializer.Serialize(
                new Dictionary<string, string?> { ["name"] = Endpoints.Name, ["api"] = Endpoints.Api, ["ingress"] = Endpoints.Ingress, ["resp"] = Endpoints.Resp },
                NodeJson.Default.DictionaryStringString);
            try
            {
                await File.WriteAllTextAsync(temp, json, ct);
                File.Move(temp, path, overwrite: true);
            }
            catch (IOException)
            {
                File.Delete(temp); // a half-written file must not stay behind, nor hold the little room there is
                throw;
            }
        });
    }

    /// <summary>
    /// Runs a write of the start; on a full disk (a read-only store, or no room for a file) logs what was skipped and goes
    /// on, so that a site on a full disk still starts and serves reads.
    /// </summary>
    private async Task TolerateFullDiskAsync(string step, Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (StoreException e) when (e.Reason == StoreErrorReason.StorageFull)
        {
            LogStepSkipped(Logger, step, e.Message);
        }
        catch (IOException e) when (DiskFull.Is(e))
        {
            LogStepSkipped(Logger, step, e.Message);
        }
    }

    private ILogger Logger => _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<SiteNode>();

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Skipped {Step}: {Reason}")]
    private static partial void LogStepSkipped(ILogger logger, string step, string reason);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "The link port {Recorded} this site listened on before (DATA/link-port) is in use by something else: listening on {Port} instead; children that joined before dial {Recorded} and do not find this site until it listens there again (free the port and restart, or start with --link-port)")]
    private static partial void LogRecordedLinkPortTaken(ILogger logger, int recorded, int port);
}
