using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests;

public sealed class FunctionDeployTests
{
    [Fact]
    public async Task Hello_DeployedByMission_AnswersOnTheIngressPort()
    {
        await using var site = await TestSite.StartAsync();
        var digest = await site.UploadAsync(FunctionSite.Guest("hello/hello.wasm"));
        var mission = $"""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {"{"}name: hello-function{"}"}
            spec:
              content:
                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {"{"}name: hello{"}"}
                  spec: {"{"}module: "{digest}"{"}"}
            """;

        var applied = await site.PutYamlAsync("missions", "hello-function", mission);

        Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
        await site.WaitUntilServedAsync("hello", digest);
        using var ingress = site.Ingress();
        Assert.Equal("Hello, world from solo!\npath: /\n", await ingress.GetStringAsync("/fn/hello"));
    }

    [Fact]
    public async Task Apply_ModuleThatDoesNotCompile_Returns422WithTheCompilerMessage()
    {
        await using var site = await TestSite.StartAsync();
        var digest = await site.UploadAsync("not a wasm module"u8.ToArray());

        var response = await site.PutYamlAsync("functions", "junk", FunctionSite.FunctionYaml("junk", digest));

        var cause = await SingleCauseAsync(response);
        Assert.Equal("spec.module", cause.Field);
        Assert.StartsWith("does not compile: ", cause.Message, StringComparison.Ordinal);
        Assert.Contains("magic header", cause.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", cause.Message, StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("functions", "junk"));
    }

    [Fact]
    public async Task Apply_MissionCarryingAModuleThatDoesNotCompile_Returns422NamingTheContentField()
    {
        await using var site = await TestSite.StartAsync();
        var digest = await site.UploadAsync("not a wasm module"u8.ToArray());
        var mission = "apiVersion: fornax.io/v1\nkind: Mission\nmetadata: {name: m}\nspec:\n  content:\n"
            + $"    - {{apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {{name: c}}}}\n"
            + $"    - {{apiVersion: fornax.io/v1, kind: Function, metadata: {{name: junk}}, spec: {{module: \"{digest}\"}}}}\n";

        var response = await site.PutYamlAsync("missions", "m", mission);

        var cause = await SingleCauseAsync(response);
        Assert.Equal("spec.content[1].spec.module", cause.Field);
        Assert.StartsWith("does not compile: ", cause.Message, StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("missions", "m"));
    }

    [Fact]
    public async Task Apply_BlobNotStoredHere_Returns422SayingToUseTheCli()
    {
        await using var site = await TestSite.StartAsync();
        var digest = "sha256:" + new string('a', 64);

        var response = await site.PutYamlAsync("functions", "ghost", FunctionSite.FunctionYaml("ghost", digest));

        var cause = await SingleCauseAsync(response);
        Assert.Equal(("spec.module", $"blob {digest} is not stored at this site; apply with the fornax CLI, which uploads it"), cause);
    }

    [Fact]
    public async Task Apply_ModuleAsAPath_Returns422SayingToUseTheCli()
    {
        await using var site = await TestSite.StartAsync();

        var response = await site.PutYamlAsync("functions", "hello", FunctionSite.FunctionYaml("hello", "hello.wasm"));

        var cause = await SingleCauseAsync(response);
        Assert.Equal("spec.module", cause.Field);
        Assert.StartsWith("\"hello.wasm\" is not a blob digest", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_WagiModuleWithoutStart_Returns422NamingTheAbi()
    {
        await using var site = await TestSite.StartAsync();
        var digest = await site.UploadAsync(FunctionSite.Guest("echo-raw/echo.wasm"));

        var response = await site.PutYamlAsync("functions", "echo", FunctionSite.FunctionYaml("echo", digest));

        var cause = await SingleCauseAsync(response);
        Assert.Equal(("spec.module", "the wagi ABI requires an exported function _start: () -> ()"), cause);
    }

    [Fact]
    public async Task EchoRaw_DeployedWithRawAbi_EchoesTheBody()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("echo", "echo-raw/echo.wasm", "  abi: raw\n");
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Post, "/fn/echo", "ping");

        Assert.Equal((HttpStatusCode.OK, "ping"), (status, body));
    }

    private static async Task<(string Field, string Message)> SingleCauseAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {text}");
        var status = JsonNode.Parse(text)!.AsObject();
        var cause = Assert.Single(status["details"]!["causes"]!.AsArray())!;
        return (cause["field"]!.GetValue<string>(), cause["message"]!.GetValue<string>());
    }
}
