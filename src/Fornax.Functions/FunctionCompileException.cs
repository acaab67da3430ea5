namespace Fornax.Functions;

/// <summary>A module that does not compile, link or fit its ABI. The message is the reason, fit for an apply-time error.</summary>
public sealed class FunctionCompileException : Exception
{
    public FunctionCompileException(string functionName, string message, Exception? inner = null)
        : base($"function '{functionName}': {message}", inner)
    {
        FunctionName = functionName;
        Reason = message;
    }

    /// <summary>The function whose module failed.</summary>
    public string FunctionName { get; }

    /// <summary>The reason without the function's name, e.g. <c>module does not compile: …</c> (for a field-level error).</summary>
    public string Reason { get; }
}
