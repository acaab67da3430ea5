using System.Buffers.Binary;
using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Engine.Native;
using Fornax.Kv.Replication;

namespace Fornax.Kv.Engine;

/// <summary>What a store reads at start-up: every key's state, the clock, the change counter, the store's epoch and the
/// replication positions.</summary>
internal sealed record KvLoaded(List<KeyState> States, long LastHlc, long LastVersion, long Epoch, List<PeerPosition> Positions);

/// <summary>
/// The records: "k" + key → [<see cref="SeqMarker"/>, change sequence (8 bytes)] + the key's state (<see cref="KeyCodec"/>;
/// a record without the marker is read with sequence 0); "m:hlc", "m:version" (the change counter), "m:epoch" (made
/// once, when the store is created: a peer that finds another epoch knows the data was replaced) and "a:" + site →
/// (that site's epoch, the change sequence it acknowledged).
/// </summary>
internal sealed partial class KvDiskWriter
{
    private const byte SeqMarker = 0xFE;
    private static readonly byte[] ClockRecord = "m:hlc"u8.ToArray();
    private static readonly byte[] VersionRecord = "m:version"u8.ToArray();
    private static readonly byte[] EpochRecord = "m:epoch"u8.ToArray();
    private static readonly byte[] PositionPrefix = "a:"u8.ToArray();

    /// <summary>Every replication position, when one changed since the last call, else null (called under the store's
    /// lock): written in the same batch as the keys.</summary>
    public Func<List<PeerPosition>?>? TakePositions { get; set; }

    /// <summary>The store's change number now (called under the store's lock, as a batch is cut): every change up to it
    /// is in this batch or an earlier one, including numbers no key keeps (a tombstone collected), so the version
    /// recorded is the store's, not the highest of the keys written. Recorded as the highest of the keys written, a
    /// number taken by a collection stayed above the durable version — acknowledgements waited for the next write —
    /// and a restart numbered its next change with it, which a neighbour had acknowledged already: never sent.</summary>
    public Func<long>? CurrentVersion { get; set; }

    private List<PeerPosition>? _positions;

    public KvLoaded LoadAll(Random random)
    {
        long lastHlc = 0, lastVersion = 0, epoch = 0;
        var states = new List<KeyState>();
        var positions = new List<PeerPosition>();
        var elements = new Dictionary<byte[], KeyState>(ByteArrayComparer.Instance); // element records sort before "k"
        using (var iterator = _db.NewIterator())
        {
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                RecordsLoaded++;
                var key = iterator.Key();
                var value = iterator.Value();
                if (key.Length > 0 && key[0] == (byte)'k')
                {
                    var marked = value.Length > 9 && value[0] == SeqMarker;
                    var seq = marked ? BinaryPrimitives.ReadInt64LittleEndian(value[1..]) : 0;
                    var state = KeyCodec.ReadHeader(marked ? value[9..] : value, out var elementsApart);
                    state.ChangeSeq = state.Version = seq;
                    if (elementsApart)
                    {
                        if (elements.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(key[1..], out _, out var held))
                        {
                            state.Members = held.Members;
                            state.Fields = held.Fields;
                            state.ElementsOnDisk = true;
                        }

                        KeyCodec.Complete(state);
                    }
                    else if (state.Members is not null || state.Fields is not null)
                    {
                        state.ElementsReplaced(); // the older form, elements inline: records of their own from its next write
                    }

                    states.Add(state);
                }
                else if (key.Length > 0 && key[0] == ElementPrefix)
                {
                    LoadElement(elements, key, value);
                }
                else if (key.SequenceEqual(ClockRecord))
                {
                    lastHlc = BinaryPrimitives.ReadInt64LittleEndian(value);
                }
                else if (key.SequenceEqual(VersionRecord))
                {
                    lastVersion = BinaryPrimitives.ReadInt64LittleEndian(value);
                }
                else if (key.SequenceEqual(EpochRecord))
                {
                    epoch = BinaryPrimitives.ReadInt64LittleEndian(value);
                }
                else if (key.StartsWith(PositionPrefix) && ReadPosition(System.Text.Encoding.UTF8.GetString(key[PositionPrefix.Length..]), value) is { } position)
                {
                    positions.Add(position);
                }
            }

            iterator.ThrowIfFailed();
        }

        if (epoch == 0 && !_openedReadOnly)
        {
            epoch = random.NextInt64(1, long.MaxValue);
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, epoch);
            _batch.Clear();
            _batch.Put(EpochRecord, bytes);
            _db.Write(_batch, _syncWrite);
        }

        Volatile.Write(ref _persistedVersion, lastVersion);
        return new KvLoaded(states, lastHlc, lastVersion, epoch, positions);
    }

    private static byte[] PositionKey(string site) => [.. PositionPrefix, .. System.Text.Encoding.UTF8.GetBytes(site)];

    private const byte CatchUpOwedFlag = 1;
    private const byte ForgottenFlag = 2;

    /// <summary>A neighbour's position: epoch, acknowledged version, the catch-up still asked for, a byte of flags (a
    /// catch-up of the neighbour owed; the neighbour forgotten), then the prefixes it last said its side needs, each as a
    /// 16-bit length and its bytes.</summary>
    private static byte[] PositionValue(PeerPosition position)
    {
        var value = new byte[25 + position.Interest.Sum(p => 2 + p.Length)];
        BinaryPrimitives.WriteInt64LittleEndian(value, position.Epoch);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), position.Acked);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(16), position.LostAt);
        value[24] = (byte)((position.CatchUpOwed ? CatchUpOwedFlag : 0) | (position.Forgotten ? ForgottenFlag : 0));
        var at = 25;
        foreach (var prefix in position.Interest)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(at), (ushort)prefix.Length);
            prefix.CopyTo(value.AsSpan(at + 2));
            at += 2 + prefix.Length;
        }

        return value;
    }

    /// <summary>
    /// A position as <see cref="PositionValue"/> wrote it; 16 bytes (written before a position kept more than the epoch
    /// and the acknowledged version) reads as nothing asked, nothing owed, no interest. Null when the value is malformed:
    /// the neighbour is then new to this site (it catches up by digests), which is what a lost position costs.
    /// </summary>
    private static PeerPosition? ReadPosition(string site, ReadOnlySpan<byte> value)
    {
        var (epoch, acked) = value.Length >= 16
            ? (BinaryPrimitives.ReadInt64LittleEndian(value), BinaryPrimitives.ReadInt64LittleEndian(value[8..]))
            : (0, 0);
        if (value.Length == 16)
        {
            return new PeerPosition(site, epoch, acked, 0, false, []);
        }

        if (value.Length < 25 || (value[24] & ~(CatchUpOwedFlag | ForgottenFlag)) != 0)
        {
            return null;
        }

        var interest = new List<byte[]>();
        for (var at = 25; at < value.Length;)
        {
            if (value.Length - at < 2 || value.Length - at - 2 < BinaryPrimitives.ReadUInt16LittleEndian(value[at..]))
            {
                return null;
            }

            var length = BinaryPrimitives.ReadUInt16LittleEndian(value[at..]);
            interest.Add(value.Slice(at + 2, length).ToArray());
            at += 2 + length;
        }

        return new PeerPosition(site, epoch, acked, BinaryPrimitives.ReadInt64LittleEndian(value[16..]), (value[24] & CatchUpOwedFlag) != 0, interest)
        {
            Forgotten = (value[24] & ForgottenFlag) != 0,
        };
    }
}
