namespace Fornax.Kv.Engine;

/// <summary>The store's directory is gone from under the running site; the message is the reply to every write from then on.</summary>
internal sealed class KvDirectoryLostException(string directory) : Exception(
    $"READONLY the site's KV store directory ({directory}) was deleted while the site ran; writes are refused: restart the site to start its store afresh");
