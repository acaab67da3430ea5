using System.Text.Json.Nodes;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// Blobs travel down with missions: before a mission from the parent is stored, every blob its content refers to
/// (a Function's <c>spec.module</c> digest) that this site lacks is fetched over the link and verified. A site thus
/// never holds a mission it cannot run from its own disk, and so it can always serve those blobs to its children.
/// </summary>
public sealed partial class Uplink
{
    private async Task FetchMissingBlobsAsync(JsonObject mission, CancellationToken ct)
    {
        foreach (var digest in BlobDigests(mission).Distinct(StringComparer.Ordinal))
        {
            if (_blobs.Exists(digest))
            {
                continue;
            }

            // A link that breaks here fails the session before the mission is stored; the resync after the
            // reconnect sends the mission again, so nothing is half-delivered.
            var channel = _channel ?? throw new InvalidOperationException("the link to the parent is down");
            try
            {
                using var call = new SiteLink.SiteLinkClient(channel).FetchBlob(new BlobRequest { Digest = digest }, cancellationToken: ct);
                using var buffer = new MemoryStream();
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct))
                {
                    chunk.Data.WriteTo(buffer);
                }

                buffer.Position = 0;
                await _blobs.PutAsync(buffer, digest, ct);
                LogBlobFetched(digest, buffer.Length);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
            {
                // The parent cannot provide it (a mission written before blobs travelled): store the mission
                // anyway; the Function reports the missing blob in its status.
                LogBlobUnavailable(digest, e.Status.Detail);
            }
        }
    }

    /// <summary>Blob digests named by the Functions in a mission's content, nested missions included.</summary>
    internal static IEnumerable<string> BlobDigests(JsonObject mission)
    {
        if (mission["spec"]?["content"] is not JsonArray content)
        {
            yield break;
        }

        foreach (var item in content.OfType<JsonObject>())
        {
            var kind = item["kind"]?.GetValue<string>();
            if (kind == "Function" && item["spec"]?["module"] is JsonValue module
                && module.TryGetValue<string>(out var digest) && BlobDigest.IsValid(digest))
            {
                yield return digest;
            }
            else if (kind == "Mission")
            {
                foreach (var nested in BlobDigests(item))
                {
                    yield return nested;
                }
            }
        }
    }

    [LoggerMessage(EventId = 324, Level = LogLevel.Information, Message = "Fetched blob {Digest} ({Bytes} bytes) from the parent")]
    private partial void LogBlobFetched(string digest, long bytes);

    [LoggerMessage(EventId = 325, Level = LogLevel.Warning, Message = "The parent cannot provide blob {Digest}: {Reason}")]
    private partial void LogBlobUnavailable(string digest, string reason);
}
