using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api;

/// <summary>Maps store failures to Kubernetes status codes and reasons, keeping the store's message.</summary>
internal sealed class StoreErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (StoreException e)
        {
            var (code, reason) = Map(e.Reason);
            return ApiStatus.Failure(code, reason, e.Message);
        }
    }

    public static (int Code, string Reason) Map(StoreErrorReason reason) => reason switch
    {
        StoreErrorReason.NotFound => (404, "NotFound"),
        StoreErrorReason.AlreadyExists => (409, "AlreadyExists"),
        StoreErrorReason.Conflict => (409, "Conflict"),
        StoreErrorReason.Gone => (410, "Gone"),
        StoreErrorReason.Invalid => (422, "Invalid"),
        StoreErrorReason.StorageFull => (507, "InsufficientStorage"),
        _ => (503, "ServiceUnavailable"),
    };
}
