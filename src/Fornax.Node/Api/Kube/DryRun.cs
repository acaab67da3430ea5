using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api.Kube;

/// <summary><c>dryRun=All</c>: every check runs, nothing is written; any other value is refused, as Kubernetes does.</summary>
internal static class DryRun
{
    /// <summary>True for <c>dryRun=All</c>; <paramref name="error"/> is set for any other value.</summary>
    public static bool Requested(HttpContext http, out IResult? error)
    {
        error = null;
        var values = http.Request.Query["dryRun"];
        if (values.Count == 0)
        {
            return false;
        }

        if (values.All(v => v == "All"))
        {
            return true;
        }

        error = ApiStatus.BadRequest($"dryRun: \"{values}\" is not supported (only All)");
        return false;
    }
}
