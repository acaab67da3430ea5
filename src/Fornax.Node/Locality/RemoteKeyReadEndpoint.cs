using Fornax.Functions.State;
using Fornax.Node.Functions;
using Fornax.Node.Kv;
using Fornax.Node.Portal;
using Fornax.Node.Sites;
using Fornax.Scheduling.Locality;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Locality;

/// <summary>
/// The serving side of <see cref="RemoteKeyReads"/>, on the link listener (only sites of this tree get in): a read of a
/// key of a keyspace this site holds, for a function running at another site. Refused, with one line naming what is
/// wrong, when the keyspace is unknown or not held here, the key lies outside it, the body is malformed, or the key or
/// field is over the host API's limit; nothing is read then. Read-only: the store is never written from here.
/// </summary>
internal sealed class RemoteKeyReadEndpoint(KvFunctionState store, KeyspaceDirectory directory, KeyspaceHoldings holdings, SiteFunctionRuntime runtime,
    LocalityOptions options, LocalSite site)
{
    public async Task HandleAsync(HttpContext http)
    {
        var ns = (string)http.Request.RouteValues["namespace"]!;
        var name = (string)http.Request.RouteValues["keyspace"]!;
        var op = (string)http.Request.RouteValues["op"]!;
        var maxKey = runtime.Options.MaxStateKeyBytes;
        var body = RemoteKeyReads.Ops.Contains(op) ? await PortalHttp.ReadBodyAsync(http, 4 + (2L * maxKey)) : [];
        var (status, value, refusal) = Serve(ns, name, op, body, maxKey);
        if (refusal is not null)
        {
            await PortalHttp.ErrorAsync(http, status, site.Path, refusal);
            return;
        }

        if (value is null)
        {
            http.Response.Headers[RemoteKeyReads.AbsentHeader] = "1";
            http.Response.StatusCode = 404;
            return;
        }

        http.Response.ContentType = "application/octet-stream";
        http.Response.ContentLength = value.Length;
        await http.Response.Body.WriteAsync(value, http.RequestAborted);
    }

    /// <summary>The answer to one read: a status with the value (null: absent), or a refusal naming what is wrong.</summary>
    private (int Status, byte[]? Value, string? Refusal) Serve(string ns, string name, string op, byte[]? body, int maxKey)
    {
        if (!RemoteKeyReads.Ops.Contains(op))
        {
            return (400, null, $"\"{op}\" is not a read: one of {string.Join(", ", RemoteKeyReads.Ops)}");
        }

        if (directory.Prefix(ns, name) is not { } prefix || !holdings.Holds(ns, name))
        {
            return (404, null, $"site {site.Path} holds no keyspace {ns}/{name}");
        }

        if (body is null || !RemoteKeyReads.TryParse(body, out var key, out var field) || key.Length > maxKey || field.Length > maxKey)
        {
            return (400, null, $"a read is a key of at most {maxKey} bytes (its length first, 4 bytes little-endian) and a field of at most {maxKey} bytes");
        }

        if (!key.StartsWith(prefix))
        {
            return (400, null, $"key {StateText.Show(key)} is outside keyspace {ns}/{name} (prefix {StateText.Show(prefix)})");
        }

        try
        {
            var (value, length) = Read(op, key, field);
            return length > options.MaxRemoteReadBytes
                ? (413, null, $"key {StateText.Show(key)} holds {length} bytes, over the limit of {options.MaxRemoteReadBytes} for a read over the link")
                : (200, value, null);
        }
        catch (FunctionStateException e)
        {
            return (409, null, e.Message);
        }
    }

    /// <summary>
    /// The value and its length, sized by a first call (a read answers the length whether or not it fits), again if it
    /// grew meanwhile; no value when absent (length -1) or over the limit (never copied then).
    /// </summary>
    private (byte[]? Value, long Length) Read(string op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field)
    {
        var buffer = Array.Empty<byte>();
        while (true)
        {
            var length = op switch
            {
                "get" => store.Get(key, buffer),
                "hget" => store.HashGet(key, field, buffer),
                "smembers" => store.SetMembers(key, buffer),
                _ => store.HashEntries(key, buffer),
            };
            if (length < 0 || length > options.MaxRemoteReadBytes)
            {
                return (null, length);
            }

            if (length <= buffer.Length)
            {
                return (buffer.AsSpan(0, (int)length).ToArray(), length);
            }

            buffer = new byte[length];
        }
    }
}
