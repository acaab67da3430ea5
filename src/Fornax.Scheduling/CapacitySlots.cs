namespace Fornax.Scheduling;

/// <summary>
/// A site's concurrency slots as a hard limit, as Knative's queue-proxy enforces <c>containerConcurrency</c>: at most
/// <see cref="SchedulingOptions.Capacity"/> invocations run at once and the others wait their turn in arrival order; a
/// wait longer than <see cref="MaxWaiting"/> (Knative's queue depth, ten times the slots) is refused at once instead
/// of queued without bound. Without it (<see cref="Enforced"/> false, a capacity derived from the cores) every
/// invocation runs at once and the cores share them, which is what the slots model anyway.
/// Why enforce a configured capacity: it is the operator's statement of what the site can serve, and only a real
/// queue makes an overloaded site's wait real (the spill decision compares that wait with the cost of going elsewhere).
/// </summary>
public sealed class CapacitySlots : IDisposable
{
    private readonly SemaphoreSlim? _slots;
    private int _waiting;

    /// <param name="capacity">The slots.</param>
    /// <param name="enforced">Whether invocations beyond the slots wait (a configured capacity) or run at once.</param>
    public CapacitySlots(int capacity, bool enforced)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        // SemaphoreSlim serves asynchronous waiters in arrival order.
        _slots = enforced ? new SemaphoreSlim(capacity, capacity) : null;
    }

    public int Capacity { get; }

    public bool Enforced => _slots is not null;

    /// <summary>Invocations waiting for a slot that a new one may queue behind: ten times the slots.</summary>
    public int MaxWaiting => 10 * Capacity;

    /// <summary>Invocations waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Waits for a slot; the returned handle gives it back. Null when the queue is full (refuse the invocation: the
    /// caller should retry later or elsewhere). Cancelled with <paramref name="cancellationToken"/> (the client left).
    /// </summary>
    public async ValueTask<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots is null)
        {
            return NoSlot.Instance;
        }

        if (_slots.Wait(0, CancellationToken.None))
        {
            return new Slot(_slots);
        }

        if (Interlocked.Increment(ref _waiting) > MaxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            return null;
        }

        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new Slot(_slots);
    }

    public void Dispose() => _slots?.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }

    private sealed class NoSlot : IDisposable
    {
        public static readonly NoSlot Instance = new();

        public void Dispose()
        {
        }
    }
}
