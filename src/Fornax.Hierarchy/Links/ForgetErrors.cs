namespace Fornax.Hierarchy.Links;

/// <summary>Why a forget was refused; the API answers each with its own status code.</summary>
public enum ForgetRefusal
{
    /// <summary>No child of that name is known here (404).</summary>
    NotFound,

    /// <summary>The name is this site, or a site deeper in its subtree: forget it at its parent (400).</summary>
    NotADirectChild,

    /// <summary>The child is linked right now and the forget was not forced (409).</summary>
    Online,
}

/// <summary>A forget was refused; nothing changed. The message names the site and what to do instead.</summary>
public sealed class ForgetRefusedException(ForgetRefusal refusal, string message) : InvalidOperationException(message)
{
    public ForgetRefusal Refusal { get; } = refusal;
}

/// <summary>A link from a child that was forgotten at this site, with a certificate from before the forget.</summary>
public sealed class ChildForgottenException(string message) : InvalidOperationException(message);
