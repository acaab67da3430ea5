using Fornax.Hierarchy.Links.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fornax.Hierarchy.Links;
/// <summary>One session of the link: Hello, Welcome, then what the parent sends, with heartbeats and reports going up beside it.</summary>
public sealed partial class Uplink
{
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
        var tasks = new List<Task>
        {
            HeartbeatLoopAsync(SendAsync, session.Token),
            ReportLoopAsync(welcome.ReportsReceivedSeq, SendAsync, session.Token),
        };
        if (PortalMaps is { } maps)
        {
            tasks.Add(ChangeStream.RunAsync<PortalMap>(maps.WaitForChangeAsync, maps.ForParent, map => SendAsync(new Up { Portal = map }), session.Token));
        }

        if (KvFigures is { } kv)
        {
            tasks.Add(ChangeStream.RunAsync<KvFigures>(kv.WaitForChangeAsync, kv.ForParent, figures => SendAsync(new Up { Kv = figures }), session.Token));
        }

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
                    case Down.BodyOneofCase.Portal:
                        PortalMaps?.FromParent(down.Portal);
                        break;
                    case Down.BodyOneofCase.Load:
                        Loads?.FromParent(down.Load);
                        break;
                    case Down.BodyOneofCase.HeartbeatAck:
                        _latency.Acknowledged(down.HeartbeatAck.Sequence);
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
}
