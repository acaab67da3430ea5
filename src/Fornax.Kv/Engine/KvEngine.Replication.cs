using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Replication;

namespace Fornax.Kv.Engine;

/// <summary>Where replication hooks into the store: which keys keep tombstones, what changed, dropping a replica.</summary>
internal sealed partial class KvEngine
{
    private Replicator? _replication;
    private List<PeerPosition>? _loadedPositions;

    /// <summary>Made once when the store's data was created (kept on disk): a neighbour that finds another epoch knows
    /// the data was replaced, and what it had acknowledged no longer holds. A store in memory has a new one each time.</summary>
    public long Epoch { get; }

    /// <summary>The epochs of this site's earlier stores that the tree forgot (<see cref="KvStoreOptions.ForgottenEpochs"/>).</summary>
    public IReadOnlyCollection<long> ForgottenEpochs => _options.ForgottenEpochs;

    public Replicator Replication
    {
        get
        {
            lock (_gate)
            {
                if (_replication is null)
                {
                    _replication = new Replicator(this, _options.SiteId, _options.Random.NextInt64(1, long.MaxValue));
                    _replication.Restore(_loadedPositions ?? []);
                    _loadedPositions = null;
                    if (_disk is not null)
                    {
                        _disk.TakePositions = _replication.TakePositions;
                    }
                }

                return _replication;
            }
        }
    }

    /// <summary>A replication position changed: the disk writer writes it with its next batch.</summary>
    public void PositionsChanged() => _disk?.CommitAsync();

    /// <summary>For tests: runs before each disk write (<see cref="KvDiskWriter.BeforeWrite"/>).</summary>
    internal Action? BeforeDiskWrite
    {
        set => _disk!.BeforeWrite = value;
    }

    /// <summary>Replication positions are kept on disk (a store in memory keeps none).</summary>
    public bool KeepsPositions => _disk is not null;

    public Lock Gate => _gate;

    /// <summary>The replication log's bound (<see cref="KvStoreOptions.ReplicationLogEntries"/>).</summary>
    public int LogEntries => _options.ReplicationLogEntries;

    public KeyTable Table => _table;

    public long CurrentVersion => _version;

    /// <summary>Local changes up to this version are in the write-ahead log (all of them for a store without disk):
    /// replication sends nothing newer, so a peer never holds a write this site could lose.</summary>
    public long DurableVersion => _disk?.PersistedVersion ?? long.MaxValue;

    /// <summary>The disk writer reports a batch in the log: wake the peers waiting for it.</summary>
    private void OnPersisted(long version)
    {
        lock (_gate)
        {
            _replication?.OnPersisted();
        }
    }

    /// <summary>What the disk writer's encoding buffer holds allocated (for tests).</summary>
    internal long DiskBufferBytes => _disk?.BufferBytes ?? 0;

    /// <summary>A key replicated to other sites keeps its tombstone until every peer has acknowledged the delete.</summary>
    private bool NeedsTombstone(KeyState state) => _replication?.Carries(state.Key) == true;

    private byte[]? OnChanged(KeyState state, object? source) => _replication?.OnChanged(state, source as PeerState);

    public (int Count, Task? Moved) ReplicasHolding(params ReadOnlySpan<KvReplicatedWrite> writes)
    {
        if (writes.IsEmpty || writes[0].State is null)
        {
            return (0, null);
        }

        lock (_gate)
        {
            return _replication is { } replication ? replication.ReplicasHolding(writes) : (0, null);
        }
    }

    private List<KvPeerStats> PeerStats() => _replication?.Stats() ?? [];

    /// <summary>Removes a tombstone every peer has seen (under the lock).</summary>
    public void CollectTombstone(KeyState state)
    {
        _table.Remove(state);
        state.Removed = true;
        RemovalVersion = ++_version;
        TrackExpiry(state);
        FiguresChanged(state);
        _disk?.Enqueue(state);
        _disk?.CommitAsync();
    }

    /// <summary>Drops this site's copy of the keys <paramref name="drop"/> picks (a replica placement no longer keeps
    /// here): gone from memory and disk, not deleted anywhere else (under the lock). Returns how many were dropped.</summary>
    public int DropWhere(Func<byte[], bool> drop)
    {
        var dropped = 0;
        foreach (var state in _table.All().ToList())
        {
            if (drop(state.Key))
            {
                dropped++;
                _table.Remove(state);
                state.Removed = true;
                RemovalVersion = ++_version;
                Recount(state);
                TrackExpiry(state);
                FiguresChanged(state);
                _disk?.Enqueue(state);
            }
        }

        _disk?.CommitAsync();
        return dropped;
    }

    /// <summary>A stamp larger than any before, across restarts (a tick of the store's hybrid clock; under the lock).</summary>
    public long NextStamp() => _clock.Next(NowUnixMs());
}
