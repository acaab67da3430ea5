using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

public sealed class JoinTokenIssuerTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly PkiOptions _options;
    private readonly JoinTokenIssuer _issuer;

    public JoinTokenIssuerTests()
    {
        _options = _pki.Options("cloud");
        _issuer = JoinTokenIssuer.ForSite(_options);
    }

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task CreateJoinToken_IsIdDotSecret_With128BitBase64UrlSecret_AndAnHourToLive()
    {
        var issued = await _issuer.CreateJoinTokenAsync();

        var parts = issued.Token.Split('.');
        Assert.Equal(2, parts.Length);
        Assert.Equal(issued.Id, parts[0]);
        Assert.Equal(16, System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]).Length);
        Assert.Equal(TestPki.Start.AddHours(1), issued.ExpiresAt);
        Assert.True(issued.Stored.SingleUse);
        Assert.Equal(TokenKind.Join, issued.Stored.Kind);
    }

    [Fact]
    public async Task RedeemJoinToken_Fresh_IsOk_AndMarksItUsed()
    {
        var issued = await _issuer.CreateJoinTokenAsync(TimeSpan.FromMinutes(10));
        _pki.FakeTime.Advance(TimeSpan.FromMinutes(9));

        var result = await _issuer.RedeemJoinTokenAsync(issued.Token);

        Assert.Equal(TokenStatus.Ok, result.Status);
        Assert.Equal(TestPki.Start.AddMinutes(9), result.Token!.UsedAt);
    }

    [Fact]
    public async Task RedeemJoinToken_Twice_IsAlreadyUsed_WithTheTime()
    {
        var issued = await _issuer.CreateJoinTokenAsync();
        await _issuer.RedeemJoinTokenAsync(issued.Token);
        _pki.FakeTime.Advance(TimeSpan.FromMinutes(1));

        var result = await _issuer.RedeemJoinTokenAsync(issued.Token);

        Assert.Equal(TokenStatus.AlreadyUsed, result.Status);
        Assert.Equal($"join token {issued.Id} was already used at 2026-03-01T12:00:00Z; create a new one with `fornax token create`", result.Message);
    }

    [Fact]
    public async Task RedeemJoinToken_Concurrently_OnlyOneJoins()
    {
        var issued = await _issuer.CreateJoinTokenAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _issuer.RedeemJoinTokenAsync(issued.Token))));

        Assert.Single(results, r => r.IsOk);
        Assert.All(results.Where(r => !r.IsOk), r => Assert.Equal(TokenStatus.AlreadyUsed, r.Status));
    }

    [Fact]
    public async Task RedeemJoinToken_AfterItsTtl_IsExpired_WithTheTime()
    {
        var issued = await _issuer.CreateJoinTokenAsync(TimeSpan.FromMinutes(30));
        _pki.FakeTime.Advance(TimeSpan.FromMinutes(30));

        var result = await _issuer.RedeemJoinTokenAsync(issued.Token);

        Assert.Equal(TokenStatus.Expired, result.Status);
        Assert.Equal($"join token {issued.Id} expired at 2026-03-01T12:30:00Z; create a new one with `fornax token create`", result.Message);
        Assert.Null((await _issuer.ListAsync()).Single().UsedAt); // an expired token is not consumed
    }

    [Theory]
    [InlineData("")]
    [InlineData("nodot")]
    [InlineData(".secret")]
    [InlineData("id.")]
    public async Task RedeemJoinToken_Malformed_IsWrong(string token)
    {
        var result = await _issuer.RedeemJoinTokenAsync(token);

        Assert.Equal(TokenStatus.Wrong, result.Status);
        Assert.Contains("malformed", result.Message);
    }

    [Fact]
    public async Task RedeemJoinToken_WrongSecretOrUnknownId_IsWrong_AndSaysTheSameThing()
    {
        var issued = await _issuer.CreateJoinTokenAsync();

        var wrongSecret = await _issuer.RedeemJoinTokenAsync(issued.Id + ".AAAAAAAAAAAAAAAAAAAAAA");
        var unknownId = await _issuer.RedeemJoinTokenAsync("unknown0." + issued.Token.Split('.')[1]);

        Assert.Equal(TokenStatus.Wrong, wrongSecret.Status);
        Assert.Equal(wrongSecret, unknownId);
        Assert.True((await _issuer.RedeemJoinTokenAsync(issued.Token)).IsOk); // a wrong guess does not burn the token
    }

    [Fact]
    public async Task Tokens_PersistAcrossAReload_AndSecretsAreNeverStoredInClear()
    {
        var join = await _issuer.CreateJoinTokenAsync();
        var used = await _issuer.CreateJoinTokenAsync();
        var user = await _issuer.CreateUserTokenAsync(description: "ci");
        await _issuer.RedeemJoinTokenAsync(used.Token);

        var reloaded = JoinTokenIssuer.ForSite(_options);

        Assert.True((await reloaded.RedeemJoinTokenAsync(join.Token)).IsOk);
        Assert.Equal(TokenStatus.AlreadyUsed, (await reloaded.RedeemJoinTokenAsync(used.Token)).Status);
        Assert.True((await reloaded.AuthenticateUserAsync(user.Token)).IsOk);
        var file = await File.ReadAllTextAsync(Path.Combine(_options.PkiDirectory, "tokens.json"));
        foreach (var issued in new[] { join, used, user })
        {
            var secret = issued.Token.Split('.')[1];
            Assert.DoesNotContain(secret, file);
            Assert.Contains(JoinTokenIssuer.Hash(secret), file);
        }
    }

    [Fact]
    public async Task UserToken_IsMultiUse_AndExpiresAfter30DaysByDefault()
    {
        var user = await _issuer.CreateUserTokenAsync();
        _pki.FakeTime.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await _issuer.AuthenticateUserAsync(user.Token)).IsOk);
        }

        _pki.FakeTime.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenStatus.Expired, (await _issuer.AuthenticateUserAsync(user.Token)).Status);
        Assert.Equal(user.Stored.CreatedAt + JoinTokenIssuer.DefaultUserTokenTtl, user.ExpiresAt);
        Assert.Equal(TimeSpan.FromDays(30), JoinTokenIssuer.DefaultUserTokenTtl);
        Assert.False(user.Stored.SingleUse);
    }

    [Fact]
    public async Task UserToken_WithTtl_Expires()
    {
        var user = await _issuer.CreateUserTokenAsync(TimeSpan.FromDays(30));
        _pki.FakeTime.Advance(TimeSpan.FromDays(31));

        var result = await _issuer.AuthenticateUserAsync(user.Token);

        Assert.Equal(TokenStatus.Expired, result.Status);
        Assert.StartsWith($"user token {user.Id} expired at 2026-03-31T12:00:00Z", result.Message);
    }

    [Fact]
    public async Task Kinds_DoNotMix()
    {
        var join = await _issuer.CreateJoinTokenAsync();
        var user = await _issuer.CreateUserTokenAsync();

        var joinAsUser = await _issuer.AuthenticateUserAsync(join.Token);
        var userAsJoin = await _issuer.RedeemJoinTokenAsync(user.Token);

        Assert.Equal(TokenStatus.Wrong, joinAsUser.Status);
        Assert.Equal($"token {join.Id} is a join token, not a user token", joinAsUser.Message);
        Assert.Equal(TokenStatus.Wrong, userAsJoin.Status);
        Assert.True((await _issuer.RedeemJoinTokenAsync(join.Token)).IsOk);
    }

    [Fact]
    public async Task Revoke_MakesATokenWrong()
    {
        var user = await _issuer.CreateUserTokenAsync();

        Assert.True(await _issuer.RevokeAsync(user.Id));

        Assert.Equal(TokenStatus.Wrong, (await _issuer.AuthenticateUserAsync(user.Token)).Status);
    }

    [Fact]
    public async Task Create_NonPositiveTtl_Throws()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _issuer.CreateJoinTokenAsync(TimeSpan.Zero));
        Assert.Equal("ttl", error.ParamName);
        Assert.Empty(await _issuer.ListAsync());
    }
}
