using System.Net.Http.Headers;
using System.Text;
using Fornax.Cli.Configuration;

namespace Fornax.Cli.Api;

/// <summary>One invocation of <c>/fn/{name}</c> at a site's ingress, as <c>fornax invoke</c> and the demo make it.</summary>
public sealed record FunctionInvocation(string Name, string Method = "GET", string Path = "", byte[]? Body = null, IReadOnlyList<KeyValuePair<string, string>>? Headers = null);

/// <summary>The response: status line, headers (response and content, in order) and body.</summary>
public sealed record FunctionResponse(int StatusCode, string Reason, string Version, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The head as <c>curl -i</c> prints it: <c>HTTP/1.1 200 OK</c>, one <c>Name: value</c> per line, a blank line.</summary>
    public string Head()
    {
        var head = new StringBuilder($"HTTP/{Version} {StatusCode} {Reason}".TrimEnd()).Append("\r\n");
        foreach (var (name, value) in Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return head.Append("\r\n").ToString();
    }
}

/// <summary>Finds the site's ingress through its API, then sends the request there with the site's credentials.</summary>
public static class FunctionInvoker
{
    public static async Task<FunctionResponse> InvokeAsync(CliContext context, SiteClient api, FunctionInvocation invocation, CancellationToken ct)
    {
        var ingress = await api.GetIngressUrlAsync(ct);
        var target = api.Target with { Url = ingress };
        using var http = context.HttpClientFactory(target);
        var path = invocation.Path.Length == 0 || invocation.Path.StartsWith('/') || invocation.Path.StartsWith('?') ? invocation.Path : "/" + invocation.Path;
        using var request = new HttpRequestMessage(new HttpMethod(invocation.Method), $"fn/{Uri.EscapeDataString(invocation.Name)}{path}");
        if (invocation.Body is { } body)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, value) in invocation.Headers ?? [])
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                // Content headers (Content-Type, ...) belong to the content; give a body-less request an empty one to carry them.
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach the ingress of site {api.Target.DisplayUrl} at {ingress}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"function {invocation.Name} at {ingress} did not answer in time ({http.Timeout.TotalSeconds:0}s)", [e.Message]);
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            var headers = Flatten(response.Headers).Concat(Flatten(response.Content.Headers)).ToList();
            return new FunctionResponse((int)response.StatusCode, response.ReasonPhrase ?? "", response.Version.ToString(), headers, bytes);
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(HttpHeaders headers) =>
        headers.NonValidated.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)));
}
