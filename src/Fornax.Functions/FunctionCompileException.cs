namespace Fornax.Functions;

/// <summary>A module that does not compile, link or fit its ABI. The message is the reason, fit for an apply-time error.</summary>
public sealed class FunctionCompileException : Exception
{
    public FunctionCompileException(string functionName, string message, Exception? inner = null)
        : base($"function '{functionName}': {message}", inner) => FunctionName = functionName;

    /// <summary>The function whose module failed.</summary>
    public string FunctionName { get; }
}
