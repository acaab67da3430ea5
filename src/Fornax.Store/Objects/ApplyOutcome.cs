namespace Fornax.Store;

/// <summary>What <see cref="IObjectStore.ApplyAsync(System.Text.Json.Nodes.JsonObject, WriteDurability, CancellationToken)"/> did, in <c>kubectl apply</c> words.</summary>
public enum ApplyOutcome
{
    /// <summary>The object did not exist and was created.</summary>
    Created,

    /// <summary>The object existed and was changed.</summary>
    Configured,

    /// <summary>The object already had this content; nothing was written and the version did not move.</summary>
    Unchanged,
}
