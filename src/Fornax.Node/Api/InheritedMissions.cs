using Fornax.Hierarchy.Links;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api;

/// <summary>
/// A mission this site inherited from its parent belongs to the parent: the parent's uplink rewrites it on every change
/// and deletes it with the parent's, so a local edit or delete would be silently undone or, worse, leave the two sites
/// disagreeing. The site API therefore refuses to change or delete one (409, naming where to do it), and refuses the
/// origin annotation on anything a user writes (it is how the site tells inherited missions from its own).
/// </summary>
internal static class InheritedMissions
{
    /// <summary>The refusal for writing or deleting <paramref name="key"/>, or null when it is not an inherited mission.</summary>
    public static async Task<IResult?> RefuseChangeAsync(IObjectStore store, ObjectKey key, string verb, CancellationToken ct)
    {
        if (key.Kind != "Mission" || await store.GetAsync(key, ct) is not { } stored
            || MissionStatus.Annotation(stored.Object, MissionStatus.OriginAnnotation) is not { } origin)
        {
            return null;
        }

        return ApiStatus.Failure(409, "Conflict",
            $"mission \"{key.Name}\" in namespace \"{key.Namespace}\" is inherited from {origin} (annotation {MissionStatus.OriginAnnotation}): " +
            $"{verb} it at {origin}, which sends it here", key.Kind, key.Name);
    }

    /// <summary>The refusal for a written object that carries the origin annotation, or null.</summary>
    public static IResult? RefuseOriginAnnotation(Fornax.Core.Objects.FornaxObject obj) =>
        obj.Metadata.Annotations?.ContainsKey(MissionStatus.OriginAnnotation) == true
            ? ApiStatus.Failure(422, "Invalid",
                $"metadata.annotations.{MissionStatus.OriginAnnotation}: is set by a site for the missions it inherits from its parent; remove it",
                obj.Kind, obj.Metadata.Name)
            : null;
}
