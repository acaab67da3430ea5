using System.Buffers;
using System.Globalization;
using System.Text;
using Fornax.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Portal;
using Fornax.Node.Scheduling;
using Fornax.Node.Sites;
using Fornax.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Functions;

/// <summary>
/// <c>/fn/{name}/{**rest}</c> on the ingress listener, every method: one request, one fresh instance. Errors are a
/// status and one line of text (see docs/functions.md, "Deploying and invoking"). An invocation this site should not run
/// now (overloaded, or the function's policy says elsewhere) is forwarded by the <see cref="SpillRouter"/>; every answer
/// says where the function ran (<c>Fornax-Site</c>) and after how many forwards (<c>Fornax-Hops</c>). A function is the
/// service of its own name: a caller (namespace from its user token, or vouched for by this site's portal) is held to the
/// <c>spec.allowedNamespaces</c> of a <c>Service</c> of that name, here and wherever the call spills to.
/// </summary>
internal sealed partial class FunctionIngress(
    FunctionRegistry registry, SiteFunctionRuntime runtime, NodeOptions options, SpillRouter spill, Locality.LocalityRouter locality, ILoadTracker load, CapacitySlots slots,
    CallerNamespaces callers, LocalBackends backends, LocalSite site, ILogger<FunctionIngress> log)
{
    public const string Route = "/fn/{name}/{**rest}";

    // Hop-by-hop and framing headers are Kestrel's to write; a guest cannot set them (RFC 9110 §7.6.1).
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "TE", "Proxy-Connection",
        // The site's own: a guest cannot claim to have run elsewhere.
        SpillRouter.SiteHeader, SpillRouter.HopsHeader, Locality.LocalityRouter.ReadsHeader,
    };

    // The caller's credentials are this site's to check, not the guest's to see; the guest gets the namespace they proved.
    private static readonly HashSet<string> Withheld = new(StringComparer.OrdinalIgnoreCase)
    {
        CallerNamespaces.Header, CallerNamespaces.TokenHeader, CallerNamespaces.PortalKeyHeader,
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var ingress = app.ServiceProvider.GetRequiredService<FunctionIngress>();
        app.Map(Route, ingress.HandleAsync).WithMetadata(new ListenerMetadata(Listeners.Ingress)).WithDisplayName("function ingress");
    }

    public async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var name = (string)request.RouteValues["name"]!;
        if (registry.Find(name) is not { } function)
        {
            if (callers.FromOwnPortal(request))
            {
                // Unloaded between the portal's lookup and this one (the function is moving away): the portal tries the next site.
                http.Response.Headers[PortalPeerEndpoint.NotServedHeader] = "1";
            }

            await ErrorAsync(http, 404, $"function '{name}' is not deployed at site '{options.Name}'");
            return;
        }

        if (function.Methods is { } allowed && !allowed.Contains(request.Method))
        {
            http.Response.Headers.Allow = string.Join(", ", allowed.Order(StringComparer.Ordinal));
            await ErrorAsync(http, 405, $"method {request.Method} is not allowed for function '{name}' (spec.triggers.http.methods: {http.Response.Headers.Allow})");
            return;
        }

        var (callerNamespace, tokenRefusal, byPortal) = await callers.AtFunctionIngressAsync(request, http.RequestAborted);
        if (callerNamespace is null)
        {
            await ErrorAsync(http, 401, $"function '{name}' at site '{options.Name}' refuses the {CallerNamespaces.TokenHeader} header: {tokenRefusal}");
            return;
        }

        // Through this site's portal the policy of the service it served was checked already.
        if (!byPortal && await backends.FunctionRefusalAsync(new(function.Key.Namespace, function.Name), callerNamespace, http.RequestAborted) is { } refusal)
        {
            await ErrorAsync(http, 403, refusal);
            return;
        }

        byte[]? rented = null;
        try
        {
            var (body, length) = await ReadBodyAsync(http);
            if (length < 0)
            {
                await ErrorAsync(http, 413, $"request body is larger than the limit of {options.MaxRequestBodyBytes} bytes (maxRequestBodyBytes)");
                return;
            }

            rented = body;
            var hops = SpillRouter.Hops(request);
            var decision = spill.Decide(function, hops);
            if (!decision.RunHere && await spill.ForwardAsync(http, function, callerNamespace, decision.Target!, body is null ? [] : body.AsSpan(0, length).ToArray(), hops, decision.Reason))
            {
                return;
            }

            // Kept here by spill-out: the computation may still go to its data, or the data come here (docs/kv.md).
            var route = await locality.RouteAsync(http, function, callerNamespace, body is null ? default : body.AsMemory(0, length), hops);
            if (route.Forwarded)
            {
                return;
            }

            Locality.LocalityRouter.Enter(route);

            http.Response.Headers[SpillRouter.SiteHeader] = site.Path;
            http.Response.Headers[SpillRouter.HopsHeader] = hops.ToString(CultureInfo.InvariantCulture);
            var rest = request.RouteValues["rest"] as string;
            var invocation = new InvocationRequest(
                Method: request.Method,
                PathInfo: string.IsNullOrEmpty(rest) ? "" : "/" + rest,
                QueryString: request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
                Headers: Headers(request, callerNamespace),
                Body: body is null ? default : body.AsMemory(0, length),
                ScriptName: "/fn/" + name,
                FullUrl: request.GetDisplayUrl(),
                Protocol: request.Protocol);

            var result = await InvokeAsync(function, invocation, http.RequestAborted);
            locality.Ran(function, http.Response, result.Body.Length);

            // Server-Timing (W3C): the guest's time, instantiation included, visible in browser dev tools and to tests.
            http.Response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"fn;dur={result.Duration.TotalMilliseconds:0.###}");
            if (result.Stderr.Length > 0)
            {
                LogStderr(name, result.Stderr);
            }

            if (result.Outcome == InvocationOutcome.Ok)
            {
                await WriteResultAsync(http, result);
                return;
            }

            LogFailed(name, result.Outcome.ToString(), result.Message ?? "");
            if (result.Outcome == InvocationOutcome.TooManyRequests)
            {
                // No queue: the limit is what is running now, so a short retry is the right advice.
                http.Response.Headers.RetryAfter = "1";
            }

            await ErrorAsync(http, result.StatusCode, result.Message ?? result.Outcome.ToString());
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Runs the invocation here when a slot is free (<see cref="CapacitySlots"/>), counted in this site's load from its
    /// arrival to its end: one waiting for a slot is in flight and queued, which is what the spill decision weighs.
    /// </summary>
    private async ValueTask<InvocationResult> InvokeAsync(DeployedFunction function, InvocationRequest invocation, CancellationToken ct)
    {
        load.Started(function.Name);
        InvocationResult? result = null;
        IDisposable? slot = null;
        try
        {
            slot = await slots.EnterAsync(ct);
            result = slot is null
                ? InvocationResult.Error(InvocationOutcome.TooManyRequests, $"site '{options.Name}' has {slots.Waiting} invocations waiting for its {slots.Capacity} slots, the most it queues")
                : await runtime.Get().InvokeAsync(function.Loaded, invocation, ct);
            return result;
        }
        finally
        {
            slot?.Dispose();
            var ran = result is not null && result.Outcome != InvocationOutcome.TooManyRequests;
            load.Finished(function.Name, ran ? result!.Duration : null);
            if (ran)
            {
                function.Latency.Record(result!.Duration);
            }
        }
    }

    private static async Task WriteResultAsync(HttpContext http, InvocationResult result)
    {
        var response = http.Response;
        response.StatusCode = result.StatusCode;
        // Indexed, not foreach: enumerating the interface would box an enumerator per request.
        var headers = result.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var (header, value) = headers[i];
            if (!Reserved.Contains(header))
            {
                response.Headers.Append(header, value);
            }
        }

        response.ContentLength = result.Body.Length;
        if (!HttpMethods.IsHead(http.Request.Method) && result.Body.Length > 0)
        {
            await response.Body.WriteAsync(result.Body, http.RequestAborted);
        }
    }

    private static Task ErrorAsync(HttpContext http, int status, string message)
    {
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(message + "\n");
        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
    }

    /// <summary>The body in a pooled buffer (return it), or length -1 when it is over the limit.</summary>
    // A ValueTask: most function requests have no body, and then this completes at once with nothing allocated.
    private async ValueTask<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpContext http)
    {
        var request = http.Request;
        var limit = options.MaxRequestBodyBytes;
        if (request.ContentLength is 0 || (request.ContentLength is null && !http.Features.Get<IHttpRequestBodyDetectionFeature>()!.CanHaveBody))
        {
            return (null, 0);
        }

        if (request.ContentLength > limit)
        {
            return (null, -1);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        // Kestrel enforces the limit as it reads (413 below); the check in the loop covers a read-only size feature.
        var buffer = ArrayPool<byte>.Shared.Rent((int)(request.ContentLength ?? 4096));
        var length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted)) > 0)
            {
                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, -1);
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, -1);
        }

        return (buffer, length);
    }

    private static List<KeyValuePair<string, string>> Headers(HttpRequest request, string callerNamespace)
    {
        var headers = new List<KeyValuePair<string, string>>(request.Headers.Count + 1);
        foreach (var (header, values) in request.Headers)
        {
            if (!Withheld.Contains(header))
            {
                headers.Add(new(header, values.Count == 1 ? values[0]! : string.Join(", ", values.ToArray())));
            }
        }

        headers.Add(new(CallerNamespaces.Header, callerNamespace));
        return headers;
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Function {Function} stderr: {Stderr}")]
    private partial void LogStderr(string function, string stderr);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "Function {Function} failed: {Outcome}: {Message}")]
    private partial void LogFailed(string function, string outcome, string message);
}
