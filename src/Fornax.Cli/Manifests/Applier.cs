using System.Text.Json.Nodes;
using Fornax.Cli.Api;
using Fornax.Core.Objects;

namespace Fornax.Cli.Manifests;

/// <summary>What one apply did to one object.</summary>
public sealed record AppliedObject(FornaxObject Sent, string Outcome, JsonObject Stored);

/// <summary>Uploads the module blobs a site lacks, then applies (PUT) each object in order. Used by <c>apply</c> and <c>demo</c>.</summary>
public static class Applier
{
    public static async Task<IReadOnlyList<AppliedObject>> ApplyAsync(
        SiteClient client,
        IReadOnlyList<FornaxObject> objects,
        IReadOnlyDictionary<string, byte[]> blobs,
        Action<AppliedObject>? onApplied,
        CancellationToken ct)
    {
        foreach (var (digest, content) in blobs)
        {
            if (!await client.HasBlobAsync(digest, ct))
            {
                await client.PutBlobAsync(digest, content, ct);
            }
        }

        var applied = new List<AppliedObject>();
        foreach (var obj in objects)
        {
            var (outcome, stored) = await client.ApplyAsync(obj, ct);
            var result = new AppliedObject(obj, outcome, stored);
            applied.Add(result);
            onApplied?.Invoke(result);
        }

        return applied;
    }
}
