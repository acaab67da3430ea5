namespace Fornax.Portal;

public static class ServiceMaps
{
    /// <summary>An empty map for one site.</summary>
    public static IServiceMap Create(PortalOptions options) => new ServiceMap(options);
}
