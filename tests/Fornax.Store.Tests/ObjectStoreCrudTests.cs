using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Store.Tests;

public sealed class ObjectStoreCrudTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero));
    private readonly IObjectStore _store;

    public ObjectStoreCrudTests() => _store = TestObjects.Open(_dir.Path, _time);

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Create_NewObject_FillsMetadata()
    {
        var created = await _store.CreateAsync(TestObjects.Mission("m1"));

        Assert.Equal(TestObjects.MissionKey("m1"), created.Key);
        Assert.Equal(1, created.ResourceVersion);
        Assert.Equal(1, created.Generation);
        var metadata = created.Object["metadata"]!.AsObject();
        Assert.Equal("default", (string?)metadata["namespace"]);
        Assert.Equal(1L, (long)metadata["resourceVersion"]!);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, metadata["resourceVersion"]!.GetValueKind());
        Assert.Equal(1L, (long)metadata["generation"]!);
        Assert.Equal("2025-03-04T05:06:07Z", (string?)metadata["creationTimestamp"]);
        Assert.True(Guid.TryParse((string?)metadata["uid"], out _));
        Assert.Equal(1, _store.ResourceVersion);
    }

    [Fact]
    public async Task Create_ClientSuppliedOwnedMetadata_Ignored()
    {
        var obj = TestObjects.Mission("m1", resourceVersion: 42);
        obj["metadata"]!["uid"] = "not-mine";
        obj["metadata"]!["generation"] = 9;
        obj["status"] = new JsonObject { ["phase"] = "Ready" };

        var created = await _store.CreateAsync(obj);

        Assert.Equal(1, created.ResourceVersion);
        Assert.Equal(1, created.Generation);
        Assert.NotEqual("not-mine", (string?)created.Object["metadata"]!["uid"]);
        Assert.Null(created.Object["status"]);
    }

    [Fact]
    public async Task Create_DoesNotMutateInput()
    {
        var obj = TestObjects.Mission("m1");
        var before = obj.ToJsonString();

        await _store.CreateAsync(obj);

        Assert.Equal(before, obj.ToJsonString());
    }

    [Fact]
    public async Task Create_Existing_ThrowsAlreadyExistsAndKeepsVersion()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));

        var e = await Assert.ThrowsAsync<StoreException>(() => _store.CreateAsync(TestObjects.Mission("m1", replicas: 5)));

        Assert.Equal(StoreErrorReason.AlreadyExists, e.Reason);
        Assert.Equal(409, e.StatusCode);
        Assert.Contains("Mission default/m1", e.Message);
        Assert.Equal(1, _store.ResourceVersion);
        Assert.Equal(1, (int)(await _store.GetAsync(TestObjects.MissionKey("m1")))!.Object["spec"]!["replicas"]!);
    }

    [Theory]
    [InlineData("""{ "metadata": { "name": "x" } }""", "no kind")]
    [InlineData("""{ "kind": "Mission" }""", "metadata is missing")]
    [InlineData("""{ "kind": "Mission", "metadata": { } }""", "metadata.name is missing")]
    [InlineData("""{ "kind": "Mission", "metadata": { "name": 5 } }""", "metadata.name must be a string")]
    [InlineData("""{ "kind": "Mission", "metadata": { "name": "a/b" } }""", "must not contain '/'")]
    [InlineData("""{ "kind": "Mission", "metadata": { "name": "a", "resourceVersion": "x1" } }""", "is not a non-negative integer")]
    [InlineData("""{ "kind": "Mission", "metadata": { "name": "a" }, "status": 3 }""", "status must be an object")]
    public async Task Create_InvalidObject_ThrowsInvalidAndWritesNothing(string json, string message)
    {
        var e = await Assert.ThrowsAsync<StoreException>(() => _store.CreateAsync(JsonNode.Parse(json)!.AsObject()));

        Assert.Equal(StoreErrorReason.Invalid, e.Reason);
        Assert.Equal(422, e.StatusCode);
        Assert.Contains(message, e.Message);
        Assert.Equal(0, _store.ResourceVersion);
    }

    [Fact]
    public async Task Get_Missing_ReturnsNull()
    {
        Assert.Null(await _store.GetAsync(TestObjects.MissionKey("nope")));
    }

    [Fact]
    public async Task Get_ReturnsIndependentCopies()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));

        var first = await _store.GetAsync(TestObjects.MissionKey("m1"));
        first!.Object["spec"]!["replicas"] = 99;
        var second = await _store.GetAsync(TestObjects.MissionKey("m1"));

        Assert.Equal(1, (int)second!.Object["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task List_ByKindAndNamespace_FiltersAndSorts()
    {
        await _store.CreateAsync(TestObjects.Mission("b"));
        await _store.CreateAsync(TestObjects.Mission("a"));
        await _store.CreateAsync(TestObjects.Mission("c", @namespace: "other"));
        await _store.CreateAsync(TestObjects.ConfigMap("cm", "v"));

        var all = await _store.ListAsync(null, null);
        var missions = await _store.ListAsync("Mission", null);
        var defaultMissions = await _store.ListAsync("Mission", "default");
        var other = await _store.ListAsync(null, "other");

        Assert.Equal(4, all.ResourceVersion);
        Assert.Equal(["ConfigMap default/cm", "Mission default/a", "Mission default/b", "Mission other/c"], all.Items.Select(i => i.Key.ToString()));
        Assert.Equal(3, missions.Items.Count);
        Assert.Equal(["a", "b"], defaultMissions.Items.Select(i => i.Key.Name));
        Assert.Equal(["c"], other.Items.Select(i => i.Key.Name));
    }

    [Fact]
    public async Task Update_Missing_ThrowsNotFound()
    {
        var e = await Assert.ThrowsAsync<StoreException>(() => _store.UpdateAsync(TestObjects.Mission("m1")));

        Assert.Equal(StoreErrorReason.NotFound, e.Reason);
        Assert.Equal(404, e.StatusCode);
        Assert.Equal("Mission default/m1 not found", e.Message);
    }

    [Fact]
    public async Task Apply_WithTheResourceVersionOfADeletedObject_ThrowsConflictAndDoesNotRecreate()
    {
        var created = await _store.CreateAsync(TestObjects.Mission("m1"));
        await _store.DeleteAsync(created.Key);
        var stale = TestObjects.Mission("m1");
        stale["metadata"]!["resourceVersion"] = created.ResourceVersion;

        var e = await Assert.ThrowsAsync<StoreException>(() => _store.ApplyAsync(stale));

        Assert.Equal(StoreErrorReason.Conflict, e.Reason);
        Assert.Contains($"resourceVersion {created.ResourceVersion} is stale, the object no longer exists", e.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetAsync(created.Key));
    }

    [Fact]
    public async Task Update_SpecChange_BumpsGenerationAndKeepsIdentity()
    {
        var created = await _store.CreateAsync(TestObjects.Mission("m1"));
        _time.Advance(TimeSpan.FromHours(1));

        var updated = await _store.UpdateAsync(TestObjects.Mission("m1", replicas: 3));

        Assert.Equal(2, updated.ResourceVersion);
        Assert.Equal(2, updated.Generation);
        Assert.Equal((string?)created.Object["metadata"]!["uid"], (string?)updated.Object["metadata"]!["uid"]);
        Assert.Equal("2025-03-04T05:06:07Z", (string?)updated.Object["metadata"]!["creationTimestamp"]);
        Assert.Equal(3, (int)updated.Object["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task Update_LabelChange_KeepsGeneration()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));

        var updated = await _store.UpdateAsync(TestObjects.Mission("m1", labels: """{ "tier": "edge" }"""));

        Assert.Equal(2, updated.ResourceVersion);
        Assert.Equal(1, updated.Generation);
        Assert.Equal("edge", (string?)updated.Object["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public async Task Update_ConfigMapData_BumpsGeneration()
    {
        await _store.CreateAsync(TestObjects.ConfigMap("cm", "one"));

        var updated = await _store.UpdateAsync(TestObjects.ConfigMap("cm", "two"));

        Assert.Equal(2, updated.Generation);
    }

    [Fact]
    public async Task Update_SameContentDifferentPropertyOrder_WritesNothing()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));
        var reordered = JsonNode.Parse("""
            { "spec": { "placement": { "sites": ["a", "b"] }, "replicas": 1 }, "metadata": { "name": "m1" }, "kind": "Mission", "apiVersion": "fornax.io/v1" }
            """)!.AsObject();

        var updated = await _store.UpdateAsync(reordered);

        Assert.Equal(1, updated.ResourceVersion);
        Assert.Equal(1, _store.ResourceVersion);
    }

    [Fact]
    public async Task Update_StaleResourceVersion_ThrowsConflictAndChangesNothing()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));
        await _store.UpdateAsync(TestObjects.Mission("m1", replicas: 2));

        var e = await Assert.ThrowsAsync<StoreException>(() => _store.UpdateAsync(TestObjects.Mission("m1", replicas: 7, resourceVersion: 1)));

        Assert.Equal(StoreErrorReason.Conflict, e.Reason);
        Assert.Equal("Mission default/m1: resourceVersion 1 is stale, current is 2", e.Message);
        var stored = await _store.GetAsync(TestObjects.MissionKey("m1"));
        Assert.Equal(2, stored!.ResourceVersion);
        Assert.Equal(2, (int)stored.Object["spec"]!["replicas"]!);
        Assert.Equal(2, _store.ResourceVersion);
    }

    [Fact]
    public async Task Update_CurrentResourceVersionAsString_Accepted()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));
        var obj = TestObjects.Mission("m1", replicas: 2);
        obj["metadata"]!["resourceVersion"] = "1";

        var updated = await _store.UpdateAsync(obj);

        Assert.Equal(2, updated.ResourceVersion);
    }

    [Fact]
    public async Task Update_WithStatus_KeepsStoredStatus()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));
        await _store.UpdateStatusAsync(TestObjects.MissionKey("m1"), new JsonObject { ["phase"] = "Ready" });
        var obj = TestObjects.Mission("m1", replicas: 2);
        obj["status"] = new JsonObject { ["phase"] = "Hacked" };

        var updated = await _store.UpdateAsync(obj);

        Assert.Equal("Ready", (string?)updated.Object["status"]!["phase"]);
    }

    [Fact]
    public async Task UpdateStatus_NeverBumpsGeneration()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));

        var updated = await _store.UpdateStatusAsync(TestObjects.MissionKey("m1"), new JsonObject { ["phase"] = "Ready" });
        var cleared = await _store.UpdateStatusAsync(TestObjects.MissionKey("m1"), null);

        Assert.Equal(2, updated.ResourceVersion);
        Assert.Equal(1, updated.Generation);
        Assert.Equal("Ready", (string?)updated.Object["status"]!["phase"]);
        Assert.Equal(3, cleared.ResourceVersion);
        Assert.Equal(1, cleared.Generation);
        Assert.Null(cleared.Object["status"]);
    }

    [Fact]
    public async Task UpdateStatus_SameStatus_WritesNothing()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));
        await _store.UpdateStatusAsync(TestObjects.MissionKey("m1"), new JsonObject { ["phase"] = "Ready" });

        var again = await _store.UpdateStatusAsync(TestObjects.MissionKey("m1"), new JsonObject { ["phase"] = "Ready" });

        Assert.Equal(2, again.ResourceVersion);
        Assert.Equal(2, _store.ResourceVersion);
    }

    [Fact]
    public async Task UpdateStatus_Stale_ThrowsConflict()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));
        await _store.UpdateAsync(TestObjects.Mission("m1", replicas: 2));

        var e = await Assert.ThrowsAsync<StoreException>(() =>
            _store.UpdateStatusAsync(TestObjects.MissionKey("m1"), new JsonObject(), expectedResourceVersion: 1));

        Assert.Equal(StoreErrorReason.Conflict, e.Reason);
        Assert.Null((await _store.GetAsync(TestObjects.MissionKey("m1")))!.Object["status"]);
    }

    [Fact]
    public async Task Delete_Existing_RemovesAndReturnsLastStateWithNewVersion()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));

        var deleted = await _store.DeleteAsync(TestObjects.MissionKey("m1"));

        Assert.Equal(2, deleted.ResourceVersion);
        Assert.Equal(2L, (long)deleted.Object["metadata"]!["resourceVersion"]!);
        Assert.Null(await _store.GetAsync(TestObjects.MissionKey("m1")));
        Assert.Equal(2, (await _store.ListAsync(null, null)).ResourceVersion);
    }

    [Fact]
    public async Task Delete_Missing_ThrowsNotFound()
    {
        var e = await Assert.ThrowsAsync<StoreException>(() => _store.DeleteAsync(TestObjects.MissionKey("m1")));

        Assert.Equal(StoreErrorReason.NotFound, e.Reason);
    }

    [Fact]
    public async Task Delete_Stale_ThrowsConflictAndKeepsObject()
    {
        await _store.CreateAsync(TestObjects.Mission("m1"));
        await _store.UpdateAsync(TestObjects.Mission("m1", replicas: 2));

        var e = await Assert.ThrowsAsync<StoreException>(() => _store.DeleteAsync(TestObjects.MissionKey("m1"), expectedResourceVersion: 1));

        Assert.Equal(StoreErrorReason.Conflict, e.Reason);
        Assert.NotNull(await _store.GetAsync(TestObjects.MissionKey("m1")));
    }

    [Fact]
    public async Task Apply_Missing_Created()
    {
        var (obj, outcome) = await _store.ApplyAsync(TestObjects.Mission("m1"));

        Assert.Equal(ApplyOutcome.Created, outcome);
        Assert.Equal(1, obj.ResourceVersion);
    }

    [Fact]
    public async Task Apply_Changed_ConfiguredAndBumpsGeneration()
    {
        await _store.ApplyAsync(TestObjects.Mission("m1"));

        var (obj, outcome) = await _store.ApplyAsync(TestObjects.Mission("m1", replicas: 4));

        Assert.Equal(ApplyOutcome.Configured, outcome);
        Assert.Equal(2, obj.ResourceVersion);
        Assert.Equal(2, obj.Generation);
    }

    [Fact]
    public async Task Apply_Same_UnchangedWritesNothing()
    {
        await _store.ApplyAsync(TestObjects.Mission("m1"));
        await _store.UpdateStatusAsync(TestObjects.MissionKey("m1"), new JsonObject { ["phase"] = "Ready" });
        var before = await _store.GetAsync(TestObjects.MissionKey("m1"));
        await using var watch = new WatchCollector(_store, 2);

        var (obj, outcome) = await _store.ApplyAsync(TestObjects.Mission("m1"));
        await _store.CreateAsync(TestObjects.Mission("marker"));
        var events = await watch.WaitFor(e => e.Count >= 1);

        Assert.Equal(ApplyOutcome.Unchanged, outcome);
        Assert.Equal(2, obj.ResourceVersion);
        Assert.Equal(before!.Object.ToJsonString(), obj.Object.ToJsonString());
        Assert.Equal(3, _store.ResourceVersion);
        Assert.Equal("marker", Assert.Single(events).Object.Key.Name);
    }
}
