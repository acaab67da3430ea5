using System.Text.Json.Nodes;

namespace Fornax.Store;

/// <summary>One row of the <c>objects</c> table, with its document freshly parsed (owned by the reader).</summary>
internal sealed record StoredRow(long ResourceVersion, long Generation, JsonObject Document)
{
    public StoredObject ToStoredObject(ObjectKey key) => new(key, ResourceVersion, Generation, Document);
}
