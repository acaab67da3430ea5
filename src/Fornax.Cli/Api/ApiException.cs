namespace Fornax.Cli.Api;

/// <summary>A site answered with a Kubernetes <c>Status</c> failure; the message names the site.</summary>
public sealed class ApiException(int code, string? reason, string message, IReadOnlyList<string> causes) : Exception(message)
{
    public int Code { get; } = code;

    public string? Reason { get; } = reason;

    /// <summary><c>field: message</c> for each cause the site gave (validation failures).</summary>
    public IReadOnlyList<string> Causes { get; } = causes;

    public bool IsNotFound => Code == 404;
}
