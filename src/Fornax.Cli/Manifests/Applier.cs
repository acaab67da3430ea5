using System.Text.Json.Nodes;
using Fornax.Cli.Api;
using Fornax.Core.Objects;

namespace Fornax.Cli.Manifests;

/// <summary>What one apply did to one object.</summary>
public sealed record AppliedObject(FornaxObject Sent, string Outcome, JsonObject Stored);

/// <summary>
/// Applies (PUT) each object in order, each after uploading the module blobs it names that the site lacks. Used by
/// <c>apply</c> and <c>demo</c>. Uploading per object means an apply stopped by a refusal leaves no module of a later
/// object behind; the site removes the module of a refused Function itself (docs/api.md, "Blobs").
/// </summary>
public static class Applier
{
    public static async Task<IReadOnlyList<AppliedObject>> ApplyAsync(
        SiteClient client,
        IReadOnlyList<FornaxObject> objects,
        IReadOnlyDictionary<string, byte[]> blobs,
        Action<AppliedObject>? onApplied,
        CancellationToken ct)
    {
        var applied = new List<AppliedObject>();
        foreach (var obj in objects)
        {
            foreach (var digest in FunctionModules.DigestsOf(obj))
            {
                if (blobs.TryGetValue(digest, out var content) && !await client.HasBlobAsync(digest, ct))
                {
                    await client.PutBlobAsync(digest, content, ct);
                }
            }

            var (outcome, stored) = await client.ApplyAsync(obj, ct);
            var result = new AppliedObject(obj, outcome, stored);
            applied.Add(result);
            onApplied?.Invoke(result);
        }

        return applied;
    }
}
