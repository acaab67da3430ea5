using Fornax.Hierarchy.Links.Protocol;
using Google.Protobuf;
using Grpc.Core;

namespace Fornax.Hierarchy.Links;

/// <summary>A <c>Replicate</c> call's two directions as an <see cref="ILinkFrameStream"/>.</summary>
public sealed class LinkFrameStream(IAsyncStreamReader<KvFrame> input, IAsyncStreamWriter<KvFrame> output) : ILinkFrameStream
{
    public Task SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct) =>
        output.WriteAsync(new KvFrame { Payload = UnsafeByteOperations.UnsafeWrap(frame) }, ct);

    public async Task<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken ct) =>
        await input.MoveNext(ct) ? input.Current.Payload.Memory : null;
}
