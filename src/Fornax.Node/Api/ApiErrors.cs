using Fornax.Node.Hosting;
using Fornax.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Api;

/// <summary>
/// Every error of the API port carries a Kubernetes <c>Status</c> body: exceptions a handler did not expect (500, or
/// 507 for a full disk, 413 for a body cut off at its limit), and answers that set an error code without a body
/// (an unknown path, a wrong method, a query parameter that does not bind).
/// </summary>
internal static partial class ApiErrors
{
    public static Func<HttpContext, RequestDelegate, Task> For(IServiceProvider services)
    {
        var listeners = services.GetRequiredService<Listeners>();
        var options = services.GetRequiredService<NodeOptions>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("Fornax.Node.Api");
        return (http, next) => listeners.Classify(http.Connection.LocalPort) == Listeners.Api
            ? InvokeAsync(http, next, options, log)
            : next(http);
    }

    private static async Task InvokeAsync(HttpContext http, RequestDelegate next, NodeOptions options, ILogger log)
    {
        try
        {
            await next(http);
        }
        catch (Exception e) when (!http.Response.HasStarted && !(e is OperationCanceledException && http.RequestAborted.IsCancellationRequested))
        {
            var (code, reason, message) = Describe(e, http, options);
            if (code == 500)
            {
                LogUnexpected(log, http.Request.Method, http.Request.Path, e);
            }

            await ApiStatus.Failure(code, reason, message).ExecuteAsync(http);
            return;
        }

        if (!http.Response.HasStarted && http.Response.StatusCode >= 400)
        {
            var code = http.Response.StatusCode;
            await ApiStatus.Failure(code, ReasonPhrases.Reason(code), DefaultMessage(code, http.Request)).ExecuteAsync(http);
        }
    }

    private static (int Code, string Reason, string Message) Describe(Exception e, HttpContext http, NodeOptions options) => e switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "RequestEntityTooLarge", ApiRequestGuard.TooLargeMessage(http.Request.ContentLength, ApiRequestGuard.LimitFor(http, options))),
        BadHttpRequestException bad => (bad.StatusCode, ReasonPhrases.Reason(bad.StatusCode), bad.Message),
        StoreException store => Store(store),
        IOException io when DiskFull.Is(io) => (507, "InsufficientStorage", $"the site's disk is full ({io.Message}); nothing was written"),
        _ => (500, "InternalError", $"internal error ({e.GetType().Name}): {e.Message}; the site's log has the details"),
    };

    private static (int, string, string) Store(StoreException e)
    {
        var (code, reason) = StoreErrorFilter.Map(e.Reason);
        return (code, reason, e.Message);
    }

    private static string DefaultMessage(int code, HttpRequest request) => code switch
    {
        404 => $"the server could not find {request.Method} {request.Path} (docs/api.md lists the API)",
        405 => $"{request.Method} is not allowed on {request.Path}",
        400 => $"bad request: {request.Method} {request.Path}{request.QueryString} has a parameter that could not be read",
        _ => $"{code} {ReasonPhrases.Reason(code)}: {request.Method} {request.Path}",
    };

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "API {Method} {Path} failed")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);
}

/// <summary>Kubernetes-style reasons for HTTP codes (the <c>reason</c> of a Status).</summary>
internal static class ReasonPhrases
{
    public static string Reason(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Gone",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        507 => "InsufficientStorage",
        _ => code >= 500 ? "InternalError" : "BadRequest",
    };
}
