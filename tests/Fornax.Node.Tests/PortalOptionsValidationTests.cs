using Fornax.Node.Hosting;

namespace Fornax.Node.Tests;

public sealed class PortalOptionsValidationTests
{
    [Fact]
    public void Validate_ZeroPortalRequestTimeout_NamesTheSetting()
    {
        var errors = NodeOptionsValidator.Validate(new NodeOptions { DataDirectory = "data", PortalRequestTimeout = TimeSpan.Zero });

        var error = Assert.Single(errors);
        Assert.Equal("portalRequestTimeout", error.Path);
        Assert.Equal("00:00:00 is not a positive duration", error.Message);
    }
}
