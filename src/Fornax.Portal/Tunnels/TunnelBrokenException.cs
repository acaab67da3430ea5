namespace Fornax.Portal.Tunnels;

/// <summary>A hop of the tunnel said it broke there (<see cref="TunnelFrames.WriteBrokenAsync"/>): its one-line reason.</summary>
public sealed class TunnelBrokenException(string reason) : IOException(reason);
