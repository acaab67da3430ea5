using System.Security.Cryptography;
using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// The child's end of the link: dials the parent's link port with mutual TLS and keeps one gRPC stream; applies
/// the parent's missions to its own store (annotated with their origin), sends heartbeats and change-based
/// state reports for its whole subtree, and reconnects with capped, jittered backoff. Everything it needs to
/// resume is on disk: the last parent version applied (<c>links/uplink.json</c>).
/// </summary>
public sealed partial class Uplink
{
    private readonly IObjectStore _store;
    private readonly IBlobStore _blobs;
    private readonly LinkSiteInfo _self;
    private readonly SiteIdentity _identity;
    private readonly LinkOptions _options;
    private readonly string _parentLink;
    private readonly Func<string, CancellationToken, Task<string>>? _route;
    private readonly Downlinks _downlinks;
    private readonly ILogger _logger;
    private readonly string _stateFile;
    private readonly string _dataDirectory;
    private readonly string _incarnation = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, string), (Dictionary<string, string> States, long Generation, long Seq)> _reports = [];
    private TaskCompletionSource _reportsChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _reportSeq;
    private long _parentRv;
    private GrpcChannel? _channel;

    public Uplink(IObjectStore store, IBlobStore blobs, LinkSiteInfo self, SiteIdentity identity, LinkOptions options, string dataDirectory, string parentLink,
        Func<string, CancellationToken, Task<string>>? route, Downlinks downlinks, ILogger logger)
    {
        _store = store;
        _blobs = blobs;
        _self = self;
        _identity = identity;
        _options = options;
        _latency = new LinkLatency(options.TimeProvider);
        _parentLink = parentLink;
        _route = route;
        _downlinks = downlinks;
        _logger = logger;
        _dataDirectory = dataDirectory;
        _stateFile = Path.Combine(dataDirectory, "links", "uplink.json");
        // Torn, it costs one full snapshot from the parent, not the site.
        _parentRv = ResumeFile.Read(_stateFile, doc => doc["parentRv"]!.GetValue<long>(), logger, "resuming from the parent's full snapshot");

        LoadBlocked();
    }

    /// <summary>The edge portal's service map, exchanged with the parent over this link; null: the link carries none.</summary>
    public IPortalMapExchange? PortalMaps { get; init; }

    /// <summary>The KV store's per site figures of this subtree, sent up this link as they change; null: the link carries none.</summary>
    public IKvFiguresExchange? KvFigures { get; init; }

    /// <summary>The scheduler's load figures, sent up after each heartbeat and answered by the parent; null: the link carries none.</summary>
    public ILoadExchange? Loads { get; init; }

    /// <summary>True while the stream to the parent is up (Welcome received).</summary>
    public bool IsConnected { get; private set; }

    /// <summary>How many times the stream came up.</summary>
    public int Connections { get; private set; }

    /// <summary>The last parent resourceVersion whose mission changes are applied here (persisted).</summary>
    public long ParentResourceVersion => Interlocked.Read(ref _parentRv);

    public async Task RunAsync(CancellationToken ct)
    {
        var reports = FollowLocalStatesAsync(ct);
        var backoff = new Backoff(_options.InitialBackoff, _options.EffectiveMaxBackoff, _options.Random);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunSessionAsync(backoff, ct);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException e) when (ForgottenRefusal.Is(e))
            {
                // Forgotten at the parent: no retry would be let in. Say so once and stop dialing.
                Refused(e.Status.Detail);
                break;
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or InvalidOperationException or OperationCanceledException or StoreException)
            {
                LogLinkDown(_parentLink, e.Message);
            }
            finally
            {
                IsConnected = false;
            }

            try
            {
                await Task.Delay(backoff.Next(), _options.TimeProvider, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            await reports;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Forwards a joining descendant's CSR to the parent (towards the root, which holds the CA).</summary>
    public async Task<SignedSiteCertificate> SignAsync(string csrPem, string name, string path, IReadOnlyList<string> subtree, CancellationToken ct)
    {
        var channel = _channel ?? throw new InvalidOperationException(Refusal is { } refusal
            ? $"the parent refuses {_self.Path}'s link ({refusal}), so nothing below it can join until it joins again"
            : $"the link to the parent is down; {name} can join once {_self.Path} is connected");
        try
        {
            var request = new SignRequest { CsrPem = csrPem, Name = name, Path = path };
            request.Subtree.Add(subtree);
            var reply = await new SiteLink.SiteLinkClient(channel).SignAsync(request, cancellationToken: ct);
            return new SignedSiteCertificate(reply.CertificatePem, reply.CaChainPem);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            throw new ArgumentException(e.Status.Detail);
        }
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Link to {ParentPath} up (resumed from {Rv}, parent at {ParentRv})")]
    private partial void LogLinkUp(string parentPath, long rv, long parentRv);

    [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "Link to {Parent} down: {Reason}")]
    private partial void LogLinkDown(string parent, string reason);
}
