namespace Fornax.Cli.Commands;

/// <summary>
/// The web dashboard's address at a site (<c>{api}/ui/</c>), given only once the site answers there: a printed URL
/// that does not load yet would send the operator looking for a problem that is not there.
/// </summary>
internal static class DashboardUrl
{
    public static async Task<string?> WhenServingAsync(HttpClient http, string api, CancellationToken ct)
    {
        var url = api.TrimEnd('/') + "/ui/";
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            return response.IsSuccessStatusCode ? url : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            // The client's own timeout: the site does not answer yet.
            return null;
        }
    }
}
