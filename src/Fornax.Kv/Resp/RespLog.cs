using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Fornax.Kv.Resp;

/// <summary>The RESP server's log messages (event ids 1200-1219).</summary>
internal static partial class RespLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "RESP command {Command} from {Remote} failed unexpectedly")]
    public static partial void CommandFailed(ILogger logger, Exception exception, string command, string? remote);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "RESP AUTH from {Remote} refused: {Reason}")]
    public static partial void AuthRefused(ILogger logger, string? remote, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "RESP client {Remote} closed for a protocol error: {Error}")]
    public static partial void ProtocolError(ILogger logger, string? remote, string error);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "RESP client {Remote} went away mid-command")]
    public static partial void DisconnectedMidCommand(ILogger logger, string? remote);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "The RESP port {EndPoint} stopped accepting connections")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, string endPoint);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "The RESP port {EndPoint} could not accept a connection ({Error}); trying again in {DelayMs} ms")]
    public static partial void AcceptRetry(ILogger logger, string endPoint, SocketError error, int delayMs);
}
