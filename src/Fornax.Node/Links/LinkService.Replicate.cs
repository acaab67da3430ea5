using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Links;

/// <summary>The parent's end of KV replication: only a direct child (by its certificate) may open it.</summary>
public sealed partial class LinkService
{
    public override async Task Replicate(IAsyncStreamReader<KvFrame> requestStream, IServerStreamWriter<KvFrame> responseStream, ServerCallContext context)
    {
        var certified = PeerPath(context);
        var peer = certified is null ? null : identity.Move?.Rebase(certified) ?? certified;
        var self = downlinks.Self;
        if (peer is null || !peer.StartsWith(self.Path + "/", StringComparison.Ordinal) || peer[(self.Path.Length + 1)..].Contains('/'))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"site \"{peer}\" is not a child of {self.Path}"));
        }

        RefuseIfForgotten(certified!, peer, context);
        var replication = context.GetHttpContext().RequestServices.GetService<ILinkReplication>()
            ?? throw new RpcException(new Status(StatusCode.Unimplemented, $"{self.Path} hosts no KV store"));
        using var session = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        await replication.RunAsync(peer, new LinkFrameStream(requestStream, responseStream), session.Token);
    }
}
