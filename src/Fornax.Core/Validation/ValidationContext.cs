namespace Fornax.Core.Validation;

/// <summary>One problem with an object: the field path and what is wrong with its value.</summary>
public sealed record ValidationError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Collects every problem found, so that a user sees all of them at once.</summary>
public sealed class ValidationContext
{
    private readonly List<ValidationError> _errors = [];

    public IReadOnlyList<ValidationError> Errors => _errors;

    public int Count => _errors.Count;

    public void Add(string path, string message) => _errors.Add(new ValidationError(path, message));
}

/// <summary>Thrown when an object is malformed or invalid; the message lists every problem, one per line.</summary>
public sealed class ObjectValidationException : Exception
{
    public ObjectValidationException(IReadOnlyList<ValidationError> errors, string? subject = null)
        : base(Describe(errors, subject))
    {
        Errors = errors;
    }

    public IReadOnlyList<ValidationError> Errors { get; }

    private static string Describe(IReadOnlyList<ValidationError> errors, string? subject)
    {
        var prefix = subject is null ? "" : subject + ": ";
        return errors.Count == 1
            ? prefix + errors[0]
            : prefix + $"{errors.Count} problems:" + string.Concat(errors.Select(e => "\n  " + e));
    }
}
