namespace Fornax.Scheduling.Tests;

public sealed class CapacitySlotsTests
{
    [Fact]
    public async Task Enforced_BeyondTheSlots_WaitInArrivalOrder_AndRefuseBeyondTenTimesThem()
    {
        using var slots = new CapacitySlots(capacity: 1, enforced: true);
        var running = await slots.EnterAsync(CancellationToken.None);
        var waiters = Enumerable.Range(0, 10).Select(_ => slots.EnterAsync(CancellationToken.None).AsTask()).ToList();

        var refused = await slots.EnterAsync(CancellationToken.None);
        var waitingThen = slots.Waiting;
        running!.Dispose();
        var first = await waiters[0];

        Assert.Null(refused);
        Assert.Equal(10, waitingThen);
        Assert.All(waiters.Skip(1), w => Assert.False(w.IsCompleted));
        Assert.Equal(9, slots.Waiting);
        // A slot given back twice counts once: the next two waiters get a slot each, in turn, and seven still wait.
        first!.Dispose();
        first.Dispose();
        (await waiters[1])!.Dispose();
        using var third = await waiters[2];
        Assert.Equal(7, slots.Waiting);
        Assert.False(waiters[3].IsCompleted);
    }

    [Fact]
    public async Task Enforced_WaiterCancelled_LeavesTheQueue()
    {
        using var slots = new CapacitySlots(capacity: 1, enforced: true);
        using var running = await slots.EnterAsync(CancellationToken.None);
        using var leave = new CancellationTokenSource();
        var waiting = slots.EnterAsync(leave.Token).AsTask();

        await leave.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, slots.Waiting);
    }

    [Fact]
    public async Task NotEnforced_EveryoneEntersAtOnce()
    {
        using var slots = new CapacitySlots(capacity: 1, enforced: false);

        var entered = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => slots.EnterAsync(CancellationToken.None).AsTask()));

        Assert.All(entered, Assert.NotNull);
        Assert.Equal(0, slots.Waiting);
    }
}
