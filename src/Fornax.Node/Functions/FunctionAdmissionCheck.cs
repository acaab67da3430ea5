using Fornax.Core.Objects;
using Fornax.Core.Validation;
using Fornax.Functions;
using Fornax.Node.Api;
using Fornax.Store;

namespace Fornax.Node.Functions;

/// <summary>
/// Refuses a Function (alone or inside a Mission's <c>spec.content</c>) whose module is not a blob stored at this site
/// or does not compile, so a bad module fails at apply with the compiler's message instead of at every request.
/// </summary>
internal sealed class FunctionAdmissionCheck(IBlobStore blobs, SiteFunctionRuntime runtime) : IAdmissionCheck
{
    public async ValueTask CheckAsync(FornaxObject obj, ValidationContext context, CancellationToken ct)
    {
        switch (obj)
        {
            case Function function:
                await CheckFunctionAsync(function, context, "", ct);
                break;
            case Mission { Spec.Content: { } content }:
                for (var i = 0; i < content.Count; i++)
                {
                    if (content[i] is Function inner)
                    {
                        await CheckFunctionAsync(inner, context, $"spec.content[{i}].", ct);
                    }
                }

                break;
        }
    }

    private async Task CheckFunctionAsync(Function function, ValidationContext context, string prefix, CancellationToken ct)
    {
        if (FunctionSpecs.ToDefinition(function, runtime.Options, context, prefix) is not { } definition)
        {
            return;
        }

        var digest = function.Spec.Module!;
        await using var stream = blobs.OpenRead(digest);
        if (stream is null)
        {
            context.Add(prefix + "spec.module", $"blob {digest} is not stored at this site; apply with the fornax CLI, which uploads it");
            return;
        }

        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        try
        {
            await runtime.Get().CheckAsync(definition, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
        }
        catch (FunctionCompileException e)
        {
            context.Add(prefix + "spec.module", OneLine(e.Reason.StartsWith("module ", StringComparison.Ordinal) ? e.Reason["module ".Length..] : e.Reason));
        }
        catch (ArgumentException e)
        {
            // The runtime's own limit checks (e.g. a concurrency of 0 that slipped past validation).
            context.Add(prefix + "spec.limits", OneLine(e.Message));
        }
    }

    /// <summary>Wasmtime's messages span lines ("…\n\nCaused by:\n    …"); a field error is one line.</summary>
    internal static string OneLine(string message) =>
        string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Length > 0));
}
