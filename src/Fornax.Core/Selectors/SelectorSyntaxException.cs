namespace Fornax.Core.Selectors;

/// <summary>A label selector in kubectl syntax that does not parse; the message names the selector and what is wrong.</summary>
public sealed class SelectorSyntaxException(string message) : FormatException(message);
