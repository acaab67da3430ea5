using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Tests;

public sealed class ServiceTests
{
    [Fact]
    public void ParseDocuments_ServiceWithBothBackendKinds_ReadsEveryField()
    {
        var service = Assert.IsType<Service>(Assert.Single(ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Service
            metadata: {name: inventory, namespace: shop}
            spec:
              protocol: http
              backends:
                - {function: stock}
                - {site: east-1, address: "127.0.0.1:8080"}
            """)));

        Assert.Equal("http", service.Spec.ProtocolOrDefault);
        Assert.Equal("stock", service.Spec.Backends![0].Function);
        Assert.Equal(("east-1", "127.0.0.1:8080"), (service.Spec.Backends[1].Site, service.Spec.Backends[1].Address));
    }

    [Fact]
    public void Validate_BadServiceFields_NamesEachFieldAndValue()
    {
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments("""
            apiVersion: fornax.io/v1
            kind: Service
            metadata: {name: inventory}
            spec:
              protocol: udp
              backends:
                - {function: Bad_Name}
                - {site: east-1, address: "127.0.0.1:70000"}
                - {site: east-1}
                - {function: stock, site: east-1, address: "h:1"}
                - {}
            """));

        Assert.Equal(
            [
                "spec.protocol: \"udp\" is not one of http, tcp",
                "spec.backends[0].function: \"Bad_Name\" is not a valid function name (lowercase letters, digits, '-', '.')",
                "spec.backends[1].address: \"127.0.0.1:70000\" is not host:port with a port between 1 and 65535",
                "spec.backends[2].address: required with site: \"host:port\"",
                "spec.backends[3]: either function, or site and address, not both",
                "spec.backends[4]: required: {function: NAME} or {site: SITE, address: \"host:port\"}",
            ],
            e.Errors.Select(x => x.ToString()));
    }

    [Fact]
    public void Validate_AllowedNamespacesThatAreNotNamespaces_NamesEachOne_StarAndNamesPass()
    {
        const string Yaml = """
            apiVersion: fornax.io/v1
            kind: Service
            metadata: {name: inventory}
            spec:
              backends: [{function: stock}]
              allowedNamespaces: [NAMES]
            """;
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments(Yaml.Replace("NAMES", "shop, Bad_Ns, \"\"", StringComparison.Ordinal)));
        Assert.Contains("spec.allowedNamespaces[1]: \"Bad_Ns\" is not a namespace name", e.Message, StringComparison.Ordinal);
        Assert.Contains("spec.allowedNamespaces[2]: \"\" is not a namespace name", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("allowedNamespaces[0]", e.Message, StringComparison.Ordinal);

        var service = Assert.IsType<Service>(Assert.Single(ObjectSerializer.ParseDocuments(Yaml.Replace("NAMES", "shop, \"*\"", StringComparison.Ordinal))));
        Assert.Equal(["shop", "*"], service.Spec.AllowedNamespaces);
    }

    [Fact]
    public void Validate_ServiceWithoutBackends_AsksForOne()
    {
        var error = Assert.Single(ObjectValidator.Validate(new Service { Metadata = new ObjectMeta { Name = "empty" } }));

        Assert.Equal("spec.backends", error.Path);
    }

    [Theory]
    [InlineData("svc")]
    [InlineData("services")]
    [InlineData("Service")]
    public void Kinds_Find_KnowsServiceByEveryName(string name) => Assert.Equal(typeof(Service), Kinds.Find(name)?.ClrType);

    [Theory]
    [InlineData("localhost:80", true)]
    [InlineData("[::1]:443", true)]
    [InlineData("10.0.0.1:65535", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData(":80", false)]
    [InlineData("host:0", false)]
    [InlineData("host:-1", false)]
    [InlineData("[::1:80", false)]
    public void IsHostPort_Examples(string value, bool expected) => Assert.Equal(expected, ServiceBackendRules.IsHostPort(value));
}
