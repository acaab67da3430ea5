using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>
/// A service the edge portals route to: functions deployed somewhere in the tree, or endpoints already running at a site.
/// Every deployed function is also a service of its own name, without an object.
/// </summary>
public sealed class Service : FornaxObject<ServiceSpec, ServiceStatus>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override string Kind => "Service";

    internal override void ValidateBody(ValidationContext context)
    {
        if (Spec.Protocol is { } protocol && protocol is not (ServiceProtocols.Http or ServiceProtocols.Tcp))
        {
            context.Add("spec.protocol", $"\"{protocol}\" is not one of {ServiceProtocols.Http}, {ServiceProtocols.Tcp}");
        }

        var backends = Spec.Backends ?? [];
        if (backends.Count == 0)
        {
            context.Add("spec.backends", "required: at least one backend, {function: NAME} or {site: SITE, address: \"host:port\"}");
        }

        for (var i = 0; i < backends.Count; i++)
        {
            ServiceBackendRules.Validate(backends[i], $"spec.backends[{i}]", context);
        }

        var allowed = Spec.AllowedNamespaces ?? [];
        for (var i = 0; i < allowed.Count; i++)
        {
            if (allowed[i] != ServiceSpec.AnyNamespace && !Names.IsDnsLabel(allowed[i]))
            {
                context.Add($"spec.allowedNamespaces[{i}]", $"\"{allowed[i]}\" is not a namespace name (lowercase letters, digits, '-') nor \"*\"");
            }
        }
    }
}

public static class ServiceProtocols
{
    public const string Http = "http";

    public const string Tcp = "tcp";
}

public sealed class ServiceSpec
{
    /// <summary><c>http</c> (the default) or <c>tcp</c>.</summary>
    public string? Protocol { get; set; }

    public List<ServiceBackend>? Backends { get; set; }

    /// <summary>
    /// The namespaces whose callers may call this service (<c>*</c>: every namespace); absent, every namespace may. The
    /// serving site enforces it and refuses anyone else with 403.
    /// </summary>
    public List<string>? AllowedNamespaces { get; set; }

    public const string AnyNamespace = "*";

    /// <summary>The protocol, <c>http</c> when none is given.</summary>
    public string ProtocolOrDefault => Protocol ?? ServiceProtocols.Http;
}

/// <summary>Either a function (served wherever it is deployed) or an address at one site.</summary>
public sealed class ServiceBackend
{
    public string? Function { get; set; }

    public string? Site { get; set; }

    /// <summary><c>host:port</c>, reached from the portal of <see cref="Site"/>.</summary>
    public string? Address { get; set; }
}

public sealed class ServiceStatus
{
    public string? Message { get; set; }
}
