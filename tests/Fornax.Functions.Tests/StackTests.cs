using System.Text;

namespace Fornax.Functions.Tests;

/// <summary>
/// A C guest's stack lives in its linear memory. Linked stack-first (examples/functions/Makefile), a recursion past the
/// stack must trap rather than run on over the guest's data; within it, the program runs normally.
/// </summary>
public sealed class StackTests : IDisposable
{
    private readonly TestRuntime _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task InvokeAsync_RecursionWithinTheStack_Answers()
    {
        var fn = await _fx.LoadAsync("deepstack", Guests.DeepStack);

        var result = await _fx.InvokeAsync(fn, new InvocationRequest(QueryString: "depth=8"));

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        Assert.StartsWith("depth 8 sum ", Encoding.UTF8.GetString(result.Body.Span), StringComparison.Ordinal);
        Assert.EndsWith("sentinel 5eed\n", Encoding.UTF8.GetString(result.Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_RecursionPastTheStack_TrapsInsteadOfOverwritingData()
    {
        var fn = await _fx.LoadAsync("deepstack", Guests.DeepStack);

        // 17 frames of ~1 KiB are just past the 16 KiB stack. Linked without --stack-first, this same program answers
        // 200 here, having run on over its data (and depth 18 then fails with a table error, its data overwritten).
        var result = await _fx.InvokeAsync(fn, new InvocationRequest(QueryString: "depth=17"));

        Assert.Equal((InvocationOutcome.Trap, 500, "out of bounds memory access"), (result.Outcome, result.StatusCode, result.TrapKind));
        // The next request on the same runtime is unaffected.
        var next = await _fx.InvokeAsync(fn, new InvocationRequest(QueryString: "depth=8"));
        Assert.Equal(InvocationOutcome.Ok, next.Outcome);
    }
}
