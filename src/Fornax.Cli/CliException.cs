namespace Fornax.Cli;

/// <summary>
/// A failure to report to the user: <see cref="Exception.Message"/> is the one <c>error:</c> line, and
/// <see cref="Details"/> (such as validation causes) follow it, indented.
/// </summary>
public sealed class CliException : Exception
{
    public CliException(string message, IReadOnlyList<string>? details = null, int exitCode = ExitCodes.Failure)
        : base(message)
    {
        Details = details ?? [];
        ExitCode = exitCode;
    }

    public IReadOnlyList<string> Details { get; }

    public int ExitCode { get; }
}

/// <summary>The process exit codes of <c>fornax</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran and failed: invalid input, an API error, an unreachable site.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong (unknown option, missing argument).</summary>
    public const int Usage = 2;
}
