namespace Fornax.Portal;

/// <summary>One site serving a service, as the map knows it.</summary>
public sealed record ServiceSite(string SitePath, string PortalAddress, bool Healthy);
