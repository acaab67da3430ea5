using System.Buffers.Binary;
using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Engine.Native;

namespace Fornax.Kv.Engine;

/// <summary>One group commit: take what is queued (under the lock), encode it, write it in one batch (off the lock).</summary>
internal sealed partial class KvDiskWriter
{
    /// <summary>For tests: runs on the writer's thread before each write reaches RocksDB (off the lock); a test holds the
    /// disk back by blocking here.</summary>
    internal Action? BeforeWrite { get; set; }

    private void WriteOnce()
    {
        TaskCompletionSource group;
        long version;
        bool sync;
        List<TaskCompletionSource>? saves = null;
        lock (_gate)
        {
            _wakeRequested = false;
            // Every position, when any changed (a failed write keeps the last list, written with the next).
            _positions = TakePositions?.Invoke() ?? _positions;
            if (_saves.Count != 0)
            {
                (saves, _saves) = (_saves, []);
            }

            sync = _durability == KvDurability.Always || _syncRequested || saves is not null;
            // Under everysec the timer asks for a sync every second; as Redis's appendfsync everysec, a second in which
            // nothing was written syncs nothing (an idle site wrote and fsynced its log every second, for ever).
            if (_pending.Count == 0 && _positions is null && (!sync || !_unsynced))
            {
                _syncRequested = false;
                Interlocked.Increment(ref _rounds);
                if (saves is not null)
                {
                    // Nothing written is unsynced: every write before the SAVE is on the disk now, which LASTSAVE says
                    // (a backup script polls it after BGSAVE until it moves).
                    Interlocked.Exchange(ref _lastSyncUnixMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
                    Complete(saves, null);
                }

                return;
            }

            (_pending, _writing) = (_writing, _pending);
            group = _group;
            _group = NewGroup();
            version = Math.Max(EncodeWriting(), CurrentVersion?.Invoke() ?? 0);
        }

        EncodeLargeRewrites();
        BytesEncoded += _buffer.WrittenCount;

        // Only a synced write answers the request: a tick that came while an unsynced batch was cut is still owed its sync
        // (cleared here, it waited a second more for the next tick).
        if (sync)
        {
            _syncRequested = false;
        }

        try
        {
            ThrowIfDirectoryLost();
            BeforeWrite?.Invoke();
            var batch = _batch;
            batch.Clear();
            var written = _buffer.WrittenSpan;
            foreach (var (keyStart, keyLength, valueStart, valueLength, op) in _records)
            {
                var key = written.Slice(keyStart, keyLength);
                switch (op)
                {
                    case RecordOp.Delete:
                        batch.Delete(key);
                        break;
                    case RecordOp.DeleteRange:
                        batch.DeleteRange(key, written.Slice(valueStart, valueLength));
                        break;
                    default:
                        batch.Put(key, written.Slice(valueStart, valueLength));
                        break;
                }
            }

            foreach (var position in _positions ?? [])
            {
                batch.Put(PositionKey(position.Site), PositionValue(position));
            }

            Span<byte> number = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(number, _clock.Last);
            batch.Put(ClockRecord, number);
            BinaryPrimitives.WriteInt64LittleEndian(number, Math.Max(_persistedVersion, version));
            batch.Put(VersionRecord, number);
            _db.Write(batch, sync ? _syncWrite : _plainWrite);
            Failed = null;
            _unsynced = !sync;
            if (sync)
            {
                Interlocked.Increment(ref _syncs);
            }
        }
        catch (RocksDbException e)
        {
            Requeue(e);
            group.TrySetException(new KvException(KvException.ReadOnly));
            Complete(saves, e);
            return;
        }
        catch (KvDirectoryLostException e)
        {
            Requeue(e);
            group.TrySetException(new KvException(e.Message));
            Complete(saves, e);
            return;
        }

        _writing.Clear();
        _positions = null;
        Volatile.Write(ref _persistedVersion, Math.Max(_persistedVersion, version));
        group.TrySetResult();
        if (sync)
        {
            Interlocked.Exchange(ref _lastSyncUnixMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        }

        Complete(saves, null);
        Persisted?.Invoke(version);
        Interlocked.Increment(ref _rounds);
    }

    /// <summary>
    /// The store's directory was deleted under the running site (a clean-up of /tmp, an operator's <c>rm -rf</c>):
    /// RocksDB would go on writing to files no path leads to, and every write acknowledged from then on would be gone
    /// at the next start. One stat per write round (a round carries a whole group of commands) finds it; from then on
    /// every write is refused, for good: the files this process holds are no longer the site's.
    /// </summary>
    private void ThrowIfDirectoryLost()
    {
        if (_lost is null && !File.Exists(_currentFile))
        {
            _lost = new KvDirectoryLostException(_directory);
        }

        if (_lost is not null)
        {
            throw _lost;
        }
    }

    private static void Complete(List<TaskCompletionSource>? saves, Exception? failed)
    {
        foreach (var saved in saves ?? [])
        {
            if (failed is null)
            {
                saved.TrySetResult();
            }
            else
            {
                saved.TrySetException(failed);
            }
        }
    }

    private const int InitialBufferBytes = 64 << 10;
    private const int RetainedBufferBytes = 16 << 20;

    /// <summary>What the encoding buffer holds allocated (for tests).</summary>
    internal long BufferBytes => _buffer.Capacity;

    /// <summary>Encodes the queued keys into the buffer; returns the newest version they cover.</summary>
    private long EncodeWriting()
    {
        _buffer = ReusedBuffer.Emptied(_buffer, InitialBufferBytes, RetainedBufferBytes);
        _records.Clear();
        long version = 0;
        foreach (var state in _writing)
        {
            state.PendingPersist = false;
            version = Math.Max(version, state.Version);
            var keyStart = _buffer.WrittenCount;
            var span = _buffer.GetSpan(state.Key.Length + 1);
            span[0] = (byte)'k';
            state.Key.CopyTo(span[1..]);
            _buffer.Advance(state.Key.Length + 1);
            var valueStart = _buffer.WrittenCount;
            if (!state.Removed)
            {
                // The change sequence goes with the state: after a restart, what a neighbour has not acknowledged is found again.
                var head = _buffer.GetSpan(9);
                head[0] = SeqMarker;
                BinaryPrimitives.WriteInt64LittleEndian(head[1..], state.ChangeSeq);
                _buffer.Advance(9);
                KeyCodec.WriteHeader(state, _buffer);
            }

            _records.Add((keyStart, state.Key.Length + 1, valueStart, _buffer.WrittenCount - valueStart, state.Removed ? RecordOp.Delete : RecordOp.Put));
            EncodeElements(state);
        }

        return version;
    }

    /// <summary>The batch did not reach the disk: its keys go back to the queue, and writes are refused until one succeeds.</summary>
    private void Requeue(Exception error)
    {
        lock (_gate)
        {
            Failed = error;
            var queue = new List<KeyState>(_writing.Count + _pending.Count);
            foreach (var state in _writing)
            {
                // What changed of its elements went with the failed batch: all of them are written again.
                state.ElementsOnDisk = true;
                state.ElementsReplaced();

                // A key changed again since is queued already (and written in its newer state).
                if (!state.PendingPersist)
                {
                    state.PendingPersist = true;
                    queue.Add(state);
                }
            }

            queue.AddRange(_pending);
            _pending = queue;
            _writing = [];
        }
    }
}
