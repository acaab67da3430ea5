using System.Buffers;
using System.IO.Hashing;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>The digest exchange of a catch-up (<see cref="CatchUp"/>): answering a peer's request, and acting on its reply.</summary>
internal sealed partial class Replicator
{
    private readonly ArrayBufferWriter<byte> _digestBuffer = new(4 << 10);

    /// <summary>Keys looked at per hold of the store's lock in a walk for digests: a catch-up of a million keys walked
    /// them all in one hold (digests computed, then the keys to send picked), and every client of the site waited for it
    /// (GET's longest wait 400 ms, 2026-12-05); in chunks, commands run between.</summary>
    private const int DigestChunk = 4096;

    /// <summary>For tests: runs while a digest reply is compared with this site's keys, outside the store's lock.</summary>
    internal Action? ComparingDigests { get; set; }

    /// <summary>The peer asks for the digests of this site's keys (those it said its side needs) in the given ranges.</summary>
    private byte[] AnswerDigests(PeerState peer, int depth, List<ulong> ranges)
    {
        List<byte[]> filter;
        lock (engine.Gate)
        {
            filter = peer.AnnouncedInterest ?? InterestFor(peer);
        }

        var (digests, counts) = RangeDigests(depth, ranges, filter, null);
        return Frames.EncodeDigestReply(digests, counts);
    }

    /// <summary>The peer's digests for the ranges asked: what differs is sent, or cut into finer ranges for the next round.</summary>
    private void OnDigests(PeerState peer, ReadOnlySpan<byte> frame)
    {
        CatchUp catchUp;
        List<ulong> asked;
        List<byte[]> interest;
        lock (engine.Gate)
        {
            if (peer.StaleDigestReplies > 0)
            {
                peer.StaleDigestReplies--;
                return;
            }

            if (peer.CatchUp is not { Asked: { } outstanding } current)
            {
                throw new ReplicationProtocolException("a digest reply with no digest request outstanding");
            }

            (catchUp, asked, interest) = (current, outstanding, peer.Interest);
            catchUp.ReplyArrived = true; // Asked stays set: no next request goes out before this reply is acted on
        }

        ComparingDigests?.Invoke();
        var (theirs, theirCounts) = Frames.DecodeDigestReply(frame, asked.Count);
        var (ours, counts) = RangeDigests(catchUp.Depth, asked, interest, null);
        var send = new HashSet<int>();
        var next = new List<ulong>();
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
                next.Add((asked[i / Frames.Fanout] << 4) | (uint)(i % Frames.Fanout));
            }
        }

        var keys = new List<KeyState>();
        if (send.Count > 0)
        {
            RangeDigests(catchUp.Depth, asked, interest, (child, state) =>
            {
                if (send.Contains(child))
                {
                    keys.Add(state);
                }
            });
        }

        lock (engine.Gate)
        {
            if (!ReferenceEquals(peer.CatchUp, catchUp))
            {
                return; // replaced (a changed interest) or ended with its session meanwhile: this round is moot
            }

            catchUp.Next.AddRange(next);
            foreach (var state in keys)
            {
                catchUp.Keys.Enqueue(state);
            }

            catchUp.Asked = null;
            catchUp.ReplyArrived = false;
            peer.Signal();
        }
    }

    /// <summary>
    /// For each range (at <paramref name="depth"/>), the digests and key counts of its 16 sub-ranges over the keys this
    /// site carries matching <paramref name="filter"/>: one pass over the keys, <see cref="DigestChunk"/> slots per hold of the
    /// store's lock (the caller holds none). <paramref name="visit"/> sees each key with its sub-range index.
    /// As SCAN, the pass sees every key held throughout it, each once (a key keeps its slot while it lives); a key
    /// created or changed meanwhile may be seen before or after its change, which the catch-up allows: every change
    /// since it began also follows from the log.
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
        var large = new List<(int Child, KeyState State, KeyState Copy)>();
        for (var start = 0; ; start += DigestChunk)
        {
            DigestLarge(large, digests);
            lock (engine.Gate)
            {
                var end = Math.Min(start + DigestChunk, table.SlotCount);
                for (var slot = start; slot < end; slot++)
                {
                    // Only keys this site carries: a key of its own that merely matches the peer's interest is not
                    // replicated (the peer would refuse it, and ask again for what it refused, without end).
                    if (table.AtSlot(slot) is not { } state || !Matches(filter, state.Key) || !Carries(state.Key))
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
                        if (state.IsLarge && state.DigestVersion != state.Version)
                        {
                            large.Add((child, state, state.CopyForEncoding())); // digested off the lock
                        }
                        else
                        {
                            digests[child] ^= DigestOf(state);
                        }

                        counts[child]++;
                    }
                    else
                    {
                        visit(child, state);
                    }
                }

                if (end >= table.SlotCount)
                {
                    break;
                }
            }
        }

        DigestLarge(large, digests);
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

    /// <summary>
    /// Digests the copies of large keys taken in the last chunk, off the store's lock, into their sub-ranges; each is kept
    /// as its key's digest while the key has not changed since its copy.
    /// </summary>
    private void DigestLarge(List<(int Child, KeyState State, KeyState Copy)> large, ulong[] digests)
    {
        foreach (var (child, state, copy) in large)
        {
            engine.EncodingLarge?.Invoke("digest");
            var buffer = new ArrayBufferWriter<byte>();
            KeyCodec.Write(copy, buffer);
            var digest = XxHash64.HashToUInt64(buffer.WrittenSpan);
            digests[child] ^= digest;
            lock (engine.Gate)
            {
                if (state.Version == copy.Version)
                {
                    (state.Digest, state.DigestVersion) = (digest, copy.Version);
                }
            }
        }

        large.Clear();
    }
}
