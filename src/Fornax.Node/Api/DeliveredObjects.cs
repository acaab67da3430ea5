using Fornax.Hierarchy.Links;
using Fornax.Node.Missions;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api;

/// <summary>
/// An object a mission delivered belongs to the mission (annotation <c>fornax.io/mission</c>): the site API refuses to
/// change or delete it (409, naming the mission and the site to change it at), as it does for inherited missions. A
/// local edit would otherwise either be put back at the next reconcile or, when it dropped the annotation, leave the
/// mission reporting <c>Active</c> over content that is not the mission's (docs/tree.md, "Objects a mission delivered").
/// </summary>
internal static class DeliveredObjects
{
    /// <summary>The refusal for writing or deleting <paramref name="key"/>, or null when no mission delivered it.</summary>
    public static async Task<IResult?> RefuseChangeAsync(IObjectStore store, ObjectKey key, string verb, CancellationToken ct)
    {
        if (key.Kind == "Mission" || await store.GetAsync(key, ct) is not { } stored
            || MissionStatus.Annotation(stored.Object, MissionController.OwnerAnnotation) is not { } owner)
        {
            return null;
        }

        var slash = owner.IndexOf('/');
        var missionKey = new ObjectKey("Mission", slash > 0 ? owner[..slash] : key.Namespace, owner[(slash + 1)..]);
        var mission = await store.GetAsync(missionKey, ct);
        var where = mission is not null && MissionStatus.Annotation(mission.Object, MissionStatus.OriginAnnotation) is { } origin
            ? $"at {origin}, which sends it here"
            : "at this site";
        return ApiStatus.Failure(409, "Conflict",
            $"{key.Kind.ToLowerInvariant()} \"{key.Name}\" in namespace \"{key.Namespace}\" is delivered by mission \"{missionKey.Name}\" " +
            $"(annotation {MissionController.OwnerAnnotation}: {owner}): {verb} it in the mission's content, {where}", key.Kind, key.Name);
    }
}
