using Fornax.Kv.Engine;

namespace Fornax.Kv.Tests;

public sealed class KvCommitTests
{
    [Fact]
    public async Task Completed_HasNothingToWaitFor()
    {
        Assert.True(KvCommit.Completed.IsCompleted);
        await KvCommit.Completed.WaitAsync();
    }
}
