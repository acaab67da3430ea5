using System.IO.Pipelines;
using System.Net;
using System.Text;
using Fornax.Kv.Engine;
using Fornax.Kv.Resp;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Kv.Tests.Resp;

/// <summary>Trusts nobody, and accepts exactly one password: a stranger's view of the RESP port.</summary>
internal sealed class OnePasswordAuthenticator(string password) : IRespAuthenticator
{
    public bool IsTrusted(EndPoint? remote) => false;

    public ValueTask<string?> AuthenticateAsync(string user, string password1, CancellationToken ct) =>
        ValueTask.FromResult(password1 == password ? null : "not the token");
}

/// <summary>Trusts every client (what loopback gets at a site).</summary>
internal sealed class TrustAll : IRespAuthenticator
{
    public bool IsTrusted(EndPoint? remote) => true;

    public ValueTask<string?> AuthenticateAsync(string user, string password, CancellationToken ct) => ValueTask.FromResult<string?>("no passwords here");
}

/// <summary>
/// The RESP server over the real in-memory engine, one connection through a pair of pipes: bytes in, replies out.
/// The socket-level tests (StackExchange.Redis, redis-cli) run against a real site in Fornax.Node.Tests.
/// </summary>
internal sealed class RespTestServer : IAsyncDisposable
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly Task _serving;
    private readonly MemoryStream _received = new();

    private readonly bool _ownsStore = true;

    public RespTestServer(IRespAuthenticator? authenticator = null, IKvStore? store = null, long maxBulk = 512L * 1024 * 1024)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        Store = store ?? KvStore.Open(new KvStoreOptions { SiteId = "test", TimeProvider = Time, Random = new Random(3) });
        Server = RespServerFactory.Create(new RespServerOptions { TimeProvider = Time, Random = new Random(5), MaxBulkBytes = maxBulk }, Store, authenticator ?? new TrustAll());
        _serving = Server.RunConnectionAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), new IPEndPoint(IPAddress.Parse("192.0.2.10"), 5000), null, CancellationToken.None);
    }

    /// <summary>Another connection to the same server (same store, clock and pub/sub), from another port.</summary>
    private RespTestServer(RespTestServer first, int port)
    {
        (Time, Store, Server, _ownsStore) = (first.Time, first.Store, first.Server, false);
        _serving = Server.RunConnectionAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), new IPEndPoint(IPAddress.Parse("192.0.2.10"), port), null, CancellationToken.None);
    }

    public RespTestServer Connect(int port = 5001) => new(this, port);

    /// <summary>Whether a whole reply has arrived unasked (a pushed message), without waiting for one.</summary>
    public async Task<string?> TryReadPushAsync(TimeSpan wait)
    {
        try
        {
            using var timeout = new CancellationTokenSource(wait);
            return await ReadReplyAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public FakeTimeProvider Time { get; }

    public IKvStore Store { get; }

    public IRespServer Server { get; }

    /// <summary>Sends a command as a RESP array of bulk strings.</summary>
    public Task SendAsync(params string[] args) => SendRawAsync(Encoding.UTF8.GetString(ParserHarness.Encode([[.. args.Select(Encoding.UTF8.GetBytes)]])));

    public async Task SendRawAsync(string raw) => await _toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(raw));

    public async Task SendRawAsync(byte[] raw) => await _toServer.Writer.WriteAsync(raw);

    /// <summary>Sends one command and returns its whole reply, as raw RESP text.</summary>
    public async Task<string> CallAsync(params string[] args)
    {
        await SendAsync(args);
        return await ReadReplyAsync();
    }

    /// <summary>Reads exactly one reply (nested aggregates included).</summary>
    public async Task<string> ReadReplyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await ReadReplyAsync(timeout.Token);
    }

    private async Task<string> ReadReplyAsync(CancellationToken ct)
    {
        while (true)
        {
            var text = Encoding.UTF8.GetString(_received.ToArray());
            if (ReplyLength(text, 0) is { } length)
            {
                _received.SetLength(0);
                _received.Write(Encoding.UTF8.GetBytes(text[length..]));
                return text[..length];
            }

            var read = await _toClient.Reader.ReadAsync(ct);
            foreach (var segment in read.Buffer)
            {
                _received.Write(segment.Span);
            }

            _toClient.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted && read.Buffer.IsEmpty)
            {
                throw new EndOfStreamException($"the server closed the connection; unread: {text}");
            }
        }
    }

    /// <summary>Completes the client's side, as a disconnect does, and waits for the server to let go of the connection.</summary>
    public async Task DisconnectAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>True once the server has closed its side (after QUIT or a protocol error).</summary>
    public async Task<bool> ServerClosedAsync()
    {
        await _serving.WaitAsync(TimeSpan.FromSeconds(10));
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10));
        if (_ownsStore)
        {
            await Store.DisposeAsync();
        }
    }

    /// <summary>Length of the reply starting at <paramref name="at"/> in <paramref name="text"/>, or null when incomplete.</summary>
    internal static int? ReplyLength(string text, int at)
    {
        var end = text.IndexOf("\r\n", at, StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var line = text[(at + 1)..end];
        var next = end + 2;
        switch (text[at])
        {
            case '$' or '=' or '!':
                var size = int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                return size < 0 ? next - at : text.Length >= next + size + 2 ? next + size + 2 - at : null;
            case '*' or '~' or '%' or '>':
                var count = int.Parse(line, System.Globalization.CultureInfo.InvariantCulture) * (text[at] == '%' ? 2 : 1);
                for (var i = 0; i < count; i++)
                {
                    if (ReplyLength(text, next) is not { } item)
                    {
                        return null;
                    }

                    next += item;
                }

                return next - at;
            default:
                return next - at;
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
