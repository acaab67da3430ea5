using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>
/// The replication frames: Hello (who I am, my store's epoch, which prefixes my side of the link needs), Interest (an
/// update of those), Batch (key states, numbered per sender incarnation), Ack (a batch number), CatchUpWanted (changes
/// acknowledged here were not kept: catch me up) and CatchUpDone (the catch-up asked for has ended), and the digest
/// exchange of a catch-up (DigestRequest, DigestReply). A frame is decoded completely, and refused as a whole when
/// anything in it is malformed, before any of it is applied.
/// </summary>
internal static partial class Frames
{
    public const byte Hello = 1;
    public const byte Interest = 2;
    public const byte Batch = 3;
    public const byte Ack = 4;

    /// <summary>"Catch me up": the sender of this frame acknowledged changes it did not keep (it lacked a delta's base,
    /// refused a key it no longer carried, or dropped a keyspace it gave up). Its body is the stamp of that loss, which
    /// the <see cref="CatchUpDone"/> answering it echoes.</summary>
    public const byte CatchUpWanted = 7;

    /// <summary>A catch-up begun after the peer's <see cref="CatchUpWanted"/> has ended (its last batch is sent before
    /// this frame); the body echoes the ask's stamp.</summary>
    public const byte CatchUpDone = 9;

    /// <summary>Largest frame accepted (a batch is cut well below, at 256 KiB).</summary>
    public const int MaxFrameBytes = 4 << 20;

    /// <summary>Most forgotten epochs a hello may name: one is added each time the site's store is forgotten by the tree.</summary>
    public const int MaxForgottenEpochs = 1024;

    /// <summary>
    /// A hello: the sender's name, incarnation (its process), data epoch, what its side needs (empty: an Interest frame
    /// follows); then the receiver's epoch as the sender last knew it (0: never met), and the epochs of the sender's
    /// earlier stores that the tree forgot (<see cref="Engine.KvStoreOptions.ForgottenEpochs"/>). A hello that ends
    /// after the needs (an older sender's) reads as 0 and none.
    /// </summary>
    public static byte[] EncodeHello(string site, long incarnation, long epoch, IReadOnlyCollection<byte[]> interest, long knownPeerEpoch = 0, IReadOnlyCollection<long>? forgottenEpochs = null)
    {
        var w = new ArrayBufferWriter<byte>();
        w.Write([Hello]);
        WriteBytes(w, Encoding.UTF8.GetBytes(site));
        WriteInt64(w, incarnation);
        WriteInt64(w, epoch);
        WritePrefixes(w, interest);
        WriteInt64(w, knownPeerEpoch);
        WriteInt32(w, forgottenEpochs?.Count ?? 0);
        foreach (var forgotten in forgottenEpochs ?? [])
        {
            WriteInt64(w, forgotten);
        }

        return w.WrittenSpan.ToArray();
    }

    public static byte[] EncodeInterest(IReadOnlyCollection<byte[]> interest)
    {
        var w = new ArrayBufferWriter<byte>();
        w.Write([Interest]);
        WritePrefixes(w, interest);
        return w.WrittenSpan.ToArray();
    }

    public static byte[] EncodeAck(long batch) => EncodeNumber(Ack, batch);

    /// <summary>A frame of <paramref name="type"/> whose body is one 64-bit number (an ack's batch, a catch-up's stamp).</summary>
    public static byte[] EncodeNumber(byte type, long number)
    {
        var frame = new byte[9];
        frame[0] = type;
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(1), number);
        return frame;
    }

    public static long DecodeNumber(ReadOnlySpan<byte> frame, byte type)
    {
        var r = new FrameReader(frame, type);
        var number = r.Int64();
        r.End();
        return number;
    }

    public static HelloFrame DecodeHello(ReadOnlySpan<byte> frame)
    {
        var r = new FrameReader(frame, Hello);
        var site = Encoding.UTF8.GetString(r.Bytes(256));
        var incarnation = r.Int64();
        var epoch = r.Int64();
        var interest = r.Prefixes();
        var knownPeerEpoch = 0L;
        var forgotten = new List<long>();
        if (!r.AtEnd)
        {
            knownPeerEpoch = r.Int64();
            var count = r.Int32();
            if (count is < 0 or > MaxForgottenEpochs)
            {
                throw new ReplicationProtocolException($"a hello naming {count} forgotten epochs (0 to {MaxForgottenEpochs})");
            }

            for (var i = 0; i < count; i++)
            {
                forgotten.Add(r.Int64());
            }
        }

        r.End();
        return new HelloFrame(site, incarnation, epoch, interest, knownPeerEpoch, forgotten);
    }

    public static List<byte[]> DecodeInterest(ReadOnlySpan<byte> frame)
    {
        var r = new FrameReader(frame, Interest);
        var interest = r.Prefixes();
        r.End();
        return interest;
    }

    public static long DecodeAck(ReadOnlySpan<byte> frame) => DecodeNumber(frame, Ack);

    /// <summary>Most replicas one batch may name (each key's clock names the sites that wrote it).</summary>
    public const int MaxBatchReplicas = 4096;

    /// <summary>Decodes a batch frame written by <see cref="BatchWriter"/>: all of it, or a protocol error.</summary>
    public static (long Batch, List<KeyState> States) DecodeBatch(ReadOnlySpan<byte> frame)
    {
        var r = new FrameReader(frame, Batch);
        var batch = r.Int64();
        var states = new List<KeyState>();
        try
        {
            var at = 9;
            var replicas = BatchReader.ReadReplicas(frame, ref at, MaxBatchReplicas);
            var reader = new BatchReader(frame[at..], replicas);
            while (!reader.AtEnd)
            {
                states.Add(reader.ReadState());
            }
        }
        catch (InvalidDataException e)
        {
            throw new ReplicationProtocolException($"batch {batch}: key state {states.Count}: {e.Message}");
        }

        return (batch, states);
    }

    private static void WritePrefixes(ArrayBufferWriter<byte> w, IReadOnlyCollection<byte[]> prefixes)
    {
        WriteInt32(w, prefixes.Count);
        foreach (var prefix in prefixes)
        {
            WriteBytes(w, prefix);
        }
    }

    private static void WriteBytes(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> bytes)
    {
        WriteInt32(w, bytes.Length);
        w.Write(bytes);
    }

    internal static void WriteInt32(ArrayBufferWriter<byte> w, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> w, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), value);
        w.Advance(8);
    }

    internal ref struct FrameReader
    {
        private readonly ReadOnlySpan<byte> _frame;
        private int _at;

        public FrameReader(ReadOnlySpan<byte> frame, byte type)
        {
            _frame = frame;
            if (frame.Length == 0 || frame[0] != type)
            {
                throw new ReplicationProtocolException($"expected a frame of type {type}");
            }

            _at = 1;
        }

        public readonly bool AtEnd => _at == _frame.Length;

        public ReadOnlySpan<byte> Slice(int length)
        {
            if (length < 0 || length > _frame.Length - _at)
            {
                throw new ReplicationProtocolException("a length runs past the end of the frame");
            }

            var slice = _frame.Slice(_at, length);
            _at += length;
            return slice;
        }

        public byte Byte() => Slice(1)[0];

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Slice(8));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Slice(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Slice(8));

        public byte[] Bytes(int max)
        {
            var length = Int32();
            if (length > max)
            {
                throw new ReplicationProtocolException($"a field of {length} bytes is over the limit of {max}");
            }

            return Slice(length).ToArray();
        }

        public List<byte[]> Prefixes()
        {
            var count = Int32();
            if (count < 0 || count > 10_000)
            {
                throw new ReplicationProtocolException($"{count} prefixes is over the limit of 10000");
            }

            var prefixes = new List<byte[]>(count);
            for (var i = 0; i < count; i++)
            {
                prefixes.Add(Bytes(Fornax.Core.Objects.Keyspace.MaxPrefixBytes));
            }

            return prefixes;
        }

        public readonly void End()
        {
            if (!AtEnd)
            {
                throw new ReplicationProtocolException("trailing bytes after a frame");
            }
        }
    }
}

/// <summary>A decoded hello (<see cref="Frames.EncodeHello"/>).</summary>
internal sealed record HelloFrame(string Site, long Incarnation, long Epoch, List<byte[]> Interest, long KnownPeerEpoch, List<long> ForgottenEpochs);
