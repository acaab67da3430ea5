namespace Fornax.Node.Hosting;

/// <summary>The URLs one site serves on, as written to <c>DATA/endpoints.json</c>.</summary>
public sealed record SiteEndpointsInfo(string Name, string Api, string Ingress, string? Resp)
{
    public static string Url(string host, int port) => $"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}";
}
