using Fornax.Core.Objects;
using Fornax.Core.Validation;

namespace Fornax.Node.Hosting;

/// <summary>Checks <see cref="NodeOptions"/> at start; every message names the setting and its value.</summary>
public static class NodeOptionsValidator
{
    public static IReadOnlyList<ValidationError> Validate(NodeOptions options)
    {
        var context = new ValidationContext();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            context.Add("dataDir", "required: the folder that holds this site's data");
        }

        if (!Names.IsDnsLabel(options.Name))
        {
            context.Add("name", $"\"{options.Name}\" is not a valid site name (lowercase letters, digits and '-', at most 63 characters)");
        }

        if (options.Tier is { } tier && !SiteTiers.All.Contains(tier))
        {
            context.Add("tier", $"\"{tier}\" is not one of {string.Join(", ", SiteTiers.All)}");
        }

        CheckPort(context, "apiPort", options.ApiPort);
        CheckPort(context, "ingressPort", options.IngressPort);
        CheckPort(context, "respPort", options.RespPort);
        CheckPort(context, "linkPort", options.LinkPort);
        var fixedPorts = new[] { options.ApiPort, options.IngressPort, options.RespPort, options.LinkPort }.Where(p => p != 0).ToList();
        if (fixedPorts.Count != fixedPorts.Distinct().Count())
        {
            context.Add("apiPort", $"the API, ingress, RESP and link ports must differ (got {options.ApiPort}, {options.IngressPort}, {options.RespPort}, {options.LinkPort})");
        }

        if (!System.Net.IPAddress.TryParse(options.Host, out _) && options.Host != "localhost")
        {
            context.Add("host", $"\"{options.Host}\" is not an IP address");
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            context.Add("maxRequestBodyBytes", $"{options.MaxRequestBodyBytes} is below the minimum of 1024");
        }

        if (options.MaxBlobBytes < 1024)
        {
            context.Add("maxBlobBytes", $"{options.MaxBlobBytes} is below the minimum of 1024");
        }

        if (options.RespMaxBulkBytes is < 1024 or > 512L * 1024 * 1024)
        {
            context.Add("respMaxBulkBytes", $"{options.RespMaxBulkBytes} is not between 1024 and 536870912 (512 MiB, Redis' largest proto-max-bulk-len default)");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            context.Add("heartbeat", $"{options.HeartbeatInterval} is not a positive duration");
        }

        if (options.StorageCheckInterval <= TimeSpan.Zero)
        {
            context.Add("storageCheckInterval", $"{options.StorageCheckInterval} is not a positive duration");
        }

        if (options.Durability is not ("always" or "everysec" or "none"))
        {
            context.Add("durability", $"\"{options.Durability}\" is not one of always, everysec, none");
        }

        if (options.PortalRequestTimeout <= TimeSpan.Zero)
        {
            context.Add("portalRequestTimeout", $"{options.PortalRequestTimeout} is not a positive duration");
        }

        if (options.PortalTcpIdleTimeout <= TimeSpan.Zero)
        {
            context.Add("portalTcpIdleTimeout", $"{options.PortalTcpIdleTimeout} is not a positive duration");
        }

        if (options.Capacity < 0)
        {
            context.Add("capacity", $"{options.Capacity} is negative (0 means one slot per core)");
        }

        if (options.MissedHeartbeats < 1)
        {
            context.Add("missedHeartbeats", $"{options.MissedHeartbeats} is below the minimum of 1");
        }

        if (options.Join is { } join && !Uri.TryCreate(join, UriKind.Absolute, out _))
        {
            context.Add("join", $"\"{join}\" is not the URL of the parent's API (like http://127.0.0.1:7100)");
        }

        Names.ValidateLabels(options.Labels, context, "labels");
        return context.Errors;
    }

    private static void CheckPort(ValidationContext context, string field, int port)
    {
        if (port is < 0 or > 65535)
        {
            context.Add(field, $"{port} is not between 0 and 65535");
        }
    }
}
