using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
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
        _parentLink = parentLink;
        _route = route;
        _downlinks = downlinks;
        _logger = logger;
        _dataDirectory = dataDirectory;
        _stateFile = Path.Combine(dataDirectory, "links", "uplink.json");
        if (File.Exists(_stateFile))
        {
            _parentRv = JsonNode.Parse(File.ReadAllText(_stateFile))?["parentRv"]?.GetValue<long>() ?? 0;
        }

        LoadBlocked();
    }

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

    private async Task RunSessionAsync(Backoff backoff, CancellationToken ct)
    {
        var address = _route is null ? _parentLink : await _route(_parentLink, ct);
        var handler = _identity.CreateHttpHandler(_self.ParentPath);
        // HTTP/2 pings find a silently dead link (keep-alive accepts at least one second).
        var ping = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, _options.HeartbeatInterval.Ticks));
        handler.KeepAlivePingDelay = ping;
        handler.KeepAlivePingTimeout = ping * _options.MissedHeartbeats;
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        handler.ConnectTimeout = _options.HeartbeatInterval * _options.MissedHeartbeats;
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var call = new SiteLink.SiteLinkClient(channel).Connect(cancellationToken: session.Token);
        var writeGate = new SemaphoreSlim(1, 1);
        async Task SendAsync(Up message)
        {
            await writeGate.WaitAsync(session.Token);
            try
            {
                await call.RequestStream.WriteAsync(message, session.Token);
            }
            finally
            {
                writeGate.Release();
            }
        }

        var hello = new Hello
        {
            Name = _self.Name,
            Path = _self.Path,
            Tier = _self.Tier,
            Endpoints = new Endpoints { Api = _self.Api ?? "", Ingress = _self.Ingress ?? "", Resp = _self.Resp ?? "" },
            ResumeFromParentRv = ParentResourceVersion,
            Incarnation = _incarnation,
        };
        hello.Labels.Add(new Dictionary<string, string>(_self.Labels));
        await SendAsync(new Up { Hello = hello });
        if (!await call.ResponseStream.MoveNext(session.Token) || call.ResponseStream.Current.BodyCase != Down.BodyOneofCase.Welcome)
        {
            throw new InvalidOperationException("the parent did not answer Hello with Welcome");
        }

        var welcome = call.ResponseStream.Current.Welcome;
        _channel = channel;
        IsConnected = true;
        Connections++;
        backoff.Reset();
        LogLinkUp(welcome.ParentPath, ParentResourceVersion, welcome.ParentRv);
        // A moving site is done once its parent shows a new-tree certificate and its children have moved.
        _identity.TryCompleteMove();
        var tasks = new[]
        {
            HeartbeatLoopAsync(SendAsync, session.Token),
            ReportLoopAsync(welcome.ReportsReceivedSeq, SendAsync, session.Token),
        };
        try
        {
            while (await call.ResponseStream.MoveNext(session.Token))
            {
                var down = call.ResponseStream.Current;
                switch (down.BodyCase)
                {
                    case Down.BodyOneofCase.Change:
                        await ApplyChangeAsync(down.Change, session.Token);
                        break;
                    case Down.BodyOneofCase.Bookmark:
                        SaveParentRv(down.Bookmark.Rv);
                        break;
                    case Down.BodyOneofCase.Snapshot:
                        await ApplySnapshotAsync(down.Snapshot, session.Token);
                        break;
                    case Down.BodyOneofCase.Move:
                        await RenewForMoveAsync(down.Move, session.Token);
                        break;
                }

                if (tasks.FirstOrDefault(t => t.IsFaulted) is { } failed)
                {
                    await failed;
                }
            }
        }
        finally
        {
            _channel = null;
            await session.CancelAsync();
            foreach (var task in tasks)
            {
                try
                {
                    await task;
                }
                catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or InvalidOperationException)
                {
                }
            }
        }
    }

    private async Task HeartbeatLoopAsync(Func<Up, Task> send, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _options.TimeProvider);
        long seq = 0;
        do
        {
            await send(new Up { Heartbeat = await BuildHeartbeatAsync(++seq, ct) });
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    internal async Task<Heartbeat> BuildHeartbeatAsync(long seq, CancellationToken ct)
    {
        var (received, active) = await _downlinks.OwnMissionCountsAsync(ct);
        var children = _downlinks.Children;
        var me = new SiteSummary
        {
            Name = _self.Name,
            Path = _self.Path,
            Parent = _self.Parent ?? "",
            Tier = _self.Tier,
            Healthy = true,
            LastHeartbeatUnixMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            MissionsReceived = received,
            MissionsActive = active,
            Endpoints = new Endpoints { Api = _self.Api ?? "", Ingress = _self.Ingress ?? "", Resp = _self.Resp ?? "" },
        };
        me.Children.Add(children.Select(c => c.Name).Order());
        me.Labels.Add(new Dictionary<string, string>(_self.Labels));
        var heartbeat = new Heartbeat { Sequence = seq, Healthy = true, MissionsReceived = received, MissionsActive = active };
        heartbeat.Subtree.Add(me);
        foreach (var child in children)
        {
            foreach (var site in child.Subtree)
            {
                var copy = site.Clone();
                // Unhealthy once its parent declared it offline; a child this site awaits since its start is shown as it
                // was last heard until then (it may link again any moment).
                if (child.IsOffline)
                {
                    copy.Healthy = false;
                    copy.Phase = "Offline";
                }

                if (site.Path == child.Path)
                {
                    copy.LastHeartbeatUnixMs = child.LastHeartbeat.ToUnixTimeMilliseconds();
                }

                heartbeat.Subtree.Add(copy);
            }

            // Forgets below the child, relayed: every ancestor drops its Site objects of them.
            heartbeat.Forgotten.Add(child.Forgotten);
        }

        foreach (var forget in _downlinks.Forgotten.Standing.Where(f => MissionStatus.IsUnder(f.Path, _self.Path)))
        {
            heartbeat.Forgotten.Add(new ForgottenSite { Path = forget.Path, ForgottenAtUnixMs = forget.ForgottenAt.ToUnixTimeMilliseconds() });
        }

        return heartbeat;
    }

    private async Task ReportLoopAsync(long receivedSeq, Func<Up, Task> send, CancellationToken ct)
    {
        var sentUpTo = receivedSeq;
        while (!ct.IsCancellationRequested)
        {
            Task changed;
            List<MissionStateReport> pending;
            lock (_gate)
            {
                changed = _reportsChanged.Task;
                pending = [.. _reports.Where(r => r.Value.Seq > sentUpTo).OrderBy(r => r.Value.Seq).Select(r => ToReport(r.Key, r.Value))];
            }

            foreach (var report in pending)
            {
                await send(new Up { Report = report });
                sentUpTo = Math.Max(sentUpTo, report.Seq);
            }

            await changed.WaitAsync(ct);
        }
    }

    private static MissionStateReport ToReport((string Ns, string Name) key, (Dictionary<string, string> States, long Generation, long Seq) value)
    {
        var report = new MissionStateReport { Namespace = key.Ns, Name = key.Name, Generation = value.Generation, Seq = value.Seq };
        report.States.Add(value.States);
        return report;
    }

    /// <summary>Follows this site's store: each inherited mission whose subtree state map changed gets a new report.</summary>
    private async Task FollowLocalStatesAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await _store.ListAsync("Mission", null, ct);
                foreach (var item in list.Items)
                {
                    Track(item.Object, deleted: false);
                }

                await foreach (var change in _store.WatchAsync(list.ResourceVersion, "Mission", null, ct))
                {
                    if (Track(change.Object.Object, change.Type == WatchEventType.Deleted))
                    {
                        await ApplyUnblockedAsync((change.Object.Key.Namespace, change.Object.Key.Name), ct);
                    }
                }
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.Gone)
            {
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Tracks one mission of this site's store; returns true when it was this site's own and is now deleted.</summary>
    private bool Track(JsonObject mission, bool deleted)
    {
        if (MissionStatus.Annotation(mission, MissionStatus.OriginAnnotation) is null)
        {
            return deleted;
        }

        var key = (mission["metadata"]!["namespace"]!.GetValue<string>(), mission["metadata"]!["name"]!.GetValue<string>());
        lock (_gate)
        {
            if (deleted)
            {
                _reports.Remove(key);
                return false;
            }

            var states = MissionStatus.States(mission).Where(s => MissionStatus.IsUnder(s.Key, _self.Path)).ToDictionary();
            var generation = long.TryParse(MissionStatus.Annotation(mission, MissionStatus.OriginGenerationAnnotation), out var g) ? g : 0;
            if (_reports.TryGetValue(key, out var known) && known.Generation == generation
                && known.States.Count == states.Count && !known.States.Except(states).Any())
            {
                return false;
            }

            _reports[key] = (states, generation, ++_reportSeq);
            SignalReports();
        }

        return false;
    }

    private async Task ApplyChangeAsync(MissionChange change, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct);
        try
        {
            await ApplyChangeLockedAsync(change, ct);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private async Task ApplyChangeLockedAsync(MissionChange change, CancellationToken ct)
    {
        var key = new ObjectKey("Mission", change.Namespace, change.Name);
        if (change.Type == MissionChange.Types.Type.Delete)
        {
            Unblock((change.Namespace, change.Name));
            var local = await _store.GetAsync(key, ct);
            if (local is not null && MissionStatus.Annotation(local.Object, MissionStatus.OriginAnnotation) is not null)
            {
                try
                {
                    await _store.DeleteAsync(key, ct: ct);
                    LogMissionRemoved(key.ToString());
                }
                catch (StoreException e) when (e.Reason == StoreErrorReason.NotFound)
                {
                }
            }

            return;
        }

        // This site's own mission of that name is never overwritten; the parent hears why instead.
        if (await _store.GetAsync(key, ct) is { } existing && MissionStatus.Annotation(existing.Object, MissionStatus.OriginAnnotation) is null)
        {
            Block((change.Namespace, change.Name), change);
            return;
        }

        Unblock((change.Namespace, change.Name));
        var json = JsonNode.Parse(change.Json)!.AsObject();
        json.Remove("status");
        var meta = json["metadata"]!.AsObject();
        foreach (var owned in new[] { "resourceVersion", "uid", "generation", "creationTimestamp" })
        {
            meta.Remove(owned);
        }

        var annotations = meta["annotations"] as JsonObject ?? [];
        annotations[MissionStatus.OriginAnnotation] = _self.ParentPath;
        annotations[MissionStatus.OriginGenerationAnnotation] = change.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        meta["annotations"] = annotations;
        // Autonomy: everything the mission needs is on this site's disk before the mission is stored here.
        await FetchMissingBlobsAsync(json, ct);
        var (_, outcome) = await _store.ApplyAsync(json, ct);
        if (outcome != ApplyOutcome.Unchanged)
        {
            LogMissionReceived(key.ToString(), change.Generation, outcome.ToString());
        }
    }

    private async Task ApplySnapshotAsync(Snapshot snapshot, CancellationToken ct)
    {
        var keep = new HashSet<(string, string)>();
        foreach (var change in snapshot.Missions)
        {
            keep.Add((change.Namespace, change.Name));
            await ApplyChangeAsync(change, ct);
        }

        var local = await _store.ListAsync("Mission", null, ct);
        foreach (var item in local.Items)
        {
            if (MissionStatus.Annotation(item.Object, MissionStatus.OriginAnnotation) is not null && !keep.Contains((item.Key.Namespace, item.Key.Name)))
            {
                await ApplyChangeAsync(new MissionChange { Type = MissionChange.Types.Type.Delete, Namespace = item.Key.Namespace, Name = item.Key.Name }, ct);
            }
        }

        await ForgetBlockedExceptAsync(keep, ct);
        SaveParentRv(snapshot.Rv);
    }

    private void SaveParentRv(long rv)
    {
        Interlocked.Exchange(ref _parentRv, rv);
        Directory.CreateDirectory(Path.GetDirectoryName(_stateFile)!);
        var temp = _stateFile + ".tmp";
        File.WriteAllText(temp, new JsonObject { ["parentRv"] = rv, ["parentLink"] = _parentLink }.ToJsonString());
        File.Move(temp, _stateFile, overwrite: true);
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Link to {ParentPath} up (resumed from {Rv}, parent at {ParentRv})")]
    private partial void LogLinkUp(string parentPath, long rv, long parentRv);

    [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "Link to {Parent} down: {Reason}")]
    private partial void LogLinkDown(string parent, string reason);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "Mission {Mission} from the parent (generation {Generation}, {Outcome})")]
    private partial void LogMissionReceived(string mission, long generation, string outcome);

    [LoggerMessage(EventId = 323, Level = LogLevel.Information, Message = "Mission {Mission} deleted upstream")]
    private partial void LogMissionRemoved(string mission);
}
