using Fornax.Scheduling.Locality;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Scheduling.Tests.Locality;

/// <summary>Promotion after 3 remote reads within 10 s; a drop after 60 s unread or past a 1,000-byte budget.</summary>
public sealed class ReplicaAdvisorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ReplicaAdvisor _advisor;

    public ReplicaAdvisorTests() => _advisor = new ReplicaAdvisor(new LocalityOptions
    {
        PromoteAfterReads = 3,
        PromoteWindow = TimeSpan.FromSeconds(10),
        DropAfterIdle = TimeSpan.FromSeconds(60),
        StorageBudget = 1000,
        TimeProvider = _time,
    });

    private void Reads(string keyspace, int count, TimeSpan apart, bool remote = true)
    {
        for (var i = 0; i < count; i++)
        {
            _advisor.RecordRead(keyspace, remote);
            _time.Advance(apart);
        }
    }

    [Fact]
    public void Review_ReadsOverTheLinkWithinTheWindow_Promotes()
    {
        Reads("docs", 3, TimeSpan.FromSeconds(2));

        var changes = _advisor.Review(_ => 0);

        Assert.Equal([new ReplicaChange("docs", true, "3 reads over the link within 6s")], changes);
        Assert.Equal("3 reads over the link within 6s", _advisor.Promoted()["docs"]);
        Assert.Empty(_advisor.Review(_ => 0));
    }

    [Fact]
    public void Review_ReadsSpreadPastTheWindow_DoesNotPromote()
    {
        Reads("docs", 3, TimeSpan.FromSeconds(6));

        Assert.Empty(_advisor.Review(_ => 0));
        Assert.Empty(_advisor.Promoted());
    }

    [Fact]
    public void Review_LocalReads_DoNotPromote()
    {
        Reads("docs", 10, TimeSpan.FromMilliseconds(100), remote: false);

        Assert.Empty(_advisor.Review(_ => 0));
    }

    [Fact]
    public void Review_PromotedThenUnread_DropsAfterTheIdleTime()
    {
        Reads("docs", 3, TimeSpan.FromSeconds(1));
        _advisor.Review(_ => 100);

        // Read from the local copy now: each read keeps it.
        Reads("docs", 5, TimeSpan.FromSeconds(30), remote: false);
        Assert.Empty(_advisor.Review(_ => 100));

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal([new ReplicaChange("docs", false, "unread for 61s")], _advisor.Review(_ => 100));
        Assert.Empty(_advisor.Promoted());
    }

    [Fact]
    public void Review_OverTheBudget_DropsTheLeastRecentlyRead()
    {
        Reads("old", 3, TimeSpan.FromSeconds(1));
        Reads("new", 3, TimeSpan.FromSeconds(1));
        Assert.Equal(2, _advisor.Review(_ => 0).Count);

        var changes = _advisor.Review(k => k == "old" ? 600 : 500);

        Assert.Equal([new ReplicaChange("old", false, "over the storage budget of 1000 bytes (promoted replicas held 1100)")], changes);
        Assert.Equal(["new"], _advisor.Promoted().Keys);
    }

    [Fact]
    public void Review_DroppedForSize_IsNotPromotedAgainWhileItCannotFit()
    {
        Reads("big", 3, TimeSpan.FromSeconds(1));
        _advisor.Review(_ => 0);
        Assert.False(_advisor.Review(_ => 1500)[0].Promote);

        Reads("big", 3, TimeSpan.FromSeconds(1));

        Assert.Empty(_advisor.Review(_ => 1500));
    }
}
