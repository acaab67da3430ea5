namespace Fornax.Node.Hosting;

/// <summary>The URLs one site serves on, as written to <c>DATA/endpoints.json</c>.</summary>
public sealed record SiteEndpointsInfo(string Name, string Api, string Ingress, string? Resp)
{
    public static string Url(string host, int port) => $"http://{Host(host)}:{port}";

    /// <summary>The RESP port as redis-cli's <c>-u</c> and StackExchange.Redis take it.</summary>
    public static string RedisUrl(string host, int port) => $"redis://{Host(host)}:{port}";

    private static string Host(string host) => host.Contains(':') ? $"[{host}]" : host;
}
