using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>The rules for one <c>spec.backends[i]</c> of a Service: a function, or a site and an address, not both.</summary>
public static class ServiceBackendRules
{
    internal static void Validate(ServiceBackend? backend, string path, ValidationContext context)
    {
        if (backend is null)
        {
            context.Add(path, "required: {function: NAME} or {site: SITE, address: \"host:port\"}");
            return;
        }

        var isFunction = backend.Function is not null;
        var isEndpoint = backend.Site is not null || backend.Address is not null;
        if (isFunction && isEndpoint)
        {
            context.Add(path, "either function, or site and address, not both");
            return;
        }

        if (isFunction)
        {
            if (!Names.IsDnsSubdomain(backend.Function))
            {
                context.Add($"{path}.function", $"\"{backend.Function}\" is not a valid function name (lowercase letters, digits, '-', '.')");
            }

            return;
        }

        if (!isEndpoint)
        {
            context.Add(path, "required: {function: NAME} or {site: SITE, address: \"host:port\"}");
            return;
        }

        if (!Names.IsDnsLabel(backend.Site))
        {
            context.Add($"{path}.site", backend.Site is null ? "required with address: the site that reaches it" : $"\"{backend.Site}\" is not a valid site name");
        }

        if (!IsHostPort(backend.Address))
        {
            context.Add($"{path}.address", backend.Address is null ? "required with site: \"host:port\"" : $"\"{backend.Address}\" is not host:port with a port between 1 and 65535");
        }
    }

    /// <summary>A non-empty host (a name, an IPv4 address or a bracketed IPv6 address) and a port in 1..65535.</summary>
    public static bool IsHostPort(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            return false;
        }

        var host = value[..colon];
        if (host.StartsWith('[') != host.EndsWith(']') || host.Any(char.IsWhiteSpace))
        {
            return false;
        }

        return int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is >= 1 and <= 65535;
    }
}
