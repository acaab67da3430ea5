using System.Buffers;
using System.IO.Hashing;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>The digest exchange of a catch-up (<see cref="CatchUp"/>): answering a peer's request, and acting on its reply.</summary>
internal sealed partial class Replicator
{
    private readonly ArrayBufferWriter<byte> _digestBuffer = new(4 << 10);

    /// <summary>The peer asks for the digests of this site's keys (those it said its side needs) in the given ranges.</summary>
    private byte[] AnswerDigests(PeerState peer, int depth, List<ulong> ranges)
    {
        lock (engine.Gate)
        {
            var filter = peer.AnnouncedInterest ?? InterestFor(peer);
            var (digests, counts) = RangeDigests(depth, ranges, filter, null);
            return Frames.EncodeDigestReply(digests, counts);
        }
    }

    /// <summary>The peer's digests for the ranges asked: what differs is sent, or cut into finer ranges for the next round.</summary>
    private void OnDigests(PeerState peer, ReadOnlySpan<byte> frame)
    {
        lock (engine.Gate)
        {
            if (peer.StaleDigestReplies > 0)
            {
                peer.StaleDigestReplies--;
                return;
            }

            if (peer.CatchUp is not { Asked: { } asked } catchUp)
            {
                throw new ReplicationProtocolException("a digest reply with no digest request outstanding");
            }

            var (theirs, theirCounts) = Frames.DecodeDigestReply(frame, asked.Count);
            var send = new HashSet<int>();
            var (ours, counts) = RangeDigests(catchUp.Depth, asked, peer.Interest, null);
            for (var i = 0; i < ours.Length; i++)
            {
                if (ours[i] == theirs[i] || counts[i] == 0)
                {
                    continue; // the same keys, or none here (what only the peer holds it sends itself)
                }

                // Sent when the peer has nothing there, or when both sides hold at most one key there (so it is this
                // one that differs); else cut again (a range the peer holds more keys of than this site is not sent
                // whole: its extra keys would make every key of it look different).
                if (theirCounts[i] == 0 || (counts[i] <= CatchUp.LeafKeys && theirCounts[i] <= CatchUp.LeafKeys) || catchUp.Depth + 1 > Frames.MaxDepth)
                {
                    send.Add(i);
                }
                else
                {
                    catchUp.Next.Add((asked[i / Frames.Fanout] << 4) | (uint)(i % Frames.Fanout));
                }
            }

            if (send.Count > 0)
            {
                RangeDigests(catchUp.Depth, asked, peer.Interest, (child, state) =>
                {
                    if (send.Contains(child))
                    {
                        catchUp.Keys.Enqueue(state);
                    }
                });
            }

            catchUp.Asked = null;
            peer.Signal();
        }
    }

    /// <summary>
    /// For each range (at <paramref name="depth"/>), the digests and key counts of its 16 sub-ranges over this site's
    /// keys matching <paramref name="filter"/>: one pass over the keys. <paramref name="visit"/> sees each key with its
    /// sub-range index.
    /// </summary>
    private (ulong[] Digests, int[] Counts) RangeDigests(int depth, List<ulong> ranges, List<byte[]> filter, Action<int, KeyState>? visit)
    {
        var index = new Dictionary<ulong, int>(ranges.Count);
        for (var i = 0; i < ranges.Count; i++)
        {
            index[ranges[i]] = i;
        }

        var digests = new ulong[ranges.Count * Frames.Fanout];
        var counts = new int[digests.Length];
        var table = engine.Table;
        for (var slot = 0; slot < table.SlotCount; slot++)
        {
            if (table.AtSlot(slot) is not { } state || !Matches(filter, state.Key))
            {
                continue;
            }

            var token = state.Token;
            var range = depth == 0 ? 0 : token >> (64 - (4 * depth));
            if (!index.TryGetValue(range, out var at))
            {
                continue;
            }

            var child = (at * Frames.Fanout) + (int)((token >> (60 - (4 * depth))) & 0xF);
            if (visit is null)
            {
                digests[child] ^= DigestOf(state);
                counts[child]++;
            }
            else
            {
                visit(child, state);
            }
        }

        return (digests, counts);
    }

    /// <summary>A hash of the key's canonical encoding (equal states, equal digests), kept until the key changes.</summary>
    private ulong DigestOf(KeyState state)
    {
        if (state.DigestVersion != state.Version)
        {
            _digestBuffer.ResetWrittenCount();
            KeyCodec.Write(state, _digestBuffer);
            state.Digest = XxHash64.HashToUInt64(_digestBuffer.WrittenSpan);
            state.DigestVersion = state.Version;
        }

        return state.Digest;
    }
}
