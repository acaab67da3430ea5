using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Portal;

/// <summary>The namespace a request for a service is made in, which a Service's <c>spec.allowedNamespaces</c> is checked against.</summary>
internal static class CallerNamespaces
{
    /// <summary>The request header naming the caller's namespace; a caller without one is in namespace <c>default</c>.</summary>
    public const string Header = "Fornax-Namespace";

    public const string Default = "default";

    public static string Of(HttpRequest request) =>
        request.Headers[Header].ToString() is { Length: > 0 } declared ? declared : Default;
}
