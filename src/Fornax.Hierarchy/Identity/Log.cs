using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Identity;

/// <summary>Identity log messages; event ids 1100-1199 belong to this folder.</summary>
internal static partial class Log
{
    [LoggerMessage(1100, LogLevel.Warning, "Refused a TLS peer: {Reason}")]
    public static partial void PeerRefused(ILogger logger, string reason);
}
