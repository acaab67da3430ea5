using Fornax.Core.Objects;

namespace Fornax.Core.Validation;

/// <summary>Checks an object's envelope and then its kind-specific fields, collecting every problem.</summary>
public static class ObjectValidator
{
    public static IReadOnlyList<ValidationError> Validate(FornaxObject obj)
    {
        var context = new ValidationContext();
        Validate(obj, context, "");
        return context.Errors;
    }

    /// <summary>Throws <see cref="ObjectValidationException"/> listing every problem, if there is any.</summary>
    public static void EnsureValid(FornaxObject obj)
    {
        var errors = Validate(obj);
        if (errors.Count > 0)
        {
            throw new ObjectValidationException(errors, $"{obj.Kind} \"{obj.Metadata.Name}\"");
        }
    }

    internal static void Validate(FornaxObject obj, ValidationContext context, string prefix)
    {
        var nested = new ValidationContext();
        if (obj.ApiVersion != Kinds.ApiVersion)
        {
            nested.Add("apiVersion", $"\"{obj.ApiVersion}\" is not supported; use {Kinds.ApiVersion}");
        }

        var meta = obj.Metadata;
        if (string.IsNullOrEmpty(meta.Name))
        {
            nested.Add("metadata.name", "required");
        }
        else if (!Names.IsDnsSubdomain(meta.Name))
        {
            nested.Add("metadata.name", Names.WhyNotAName(meta.Name));
        }

        if (meta.Namespace is { } ns && !Names.IsDnsLabel(ns))
        {
            nested.Add("metadata.namespace", $"\"{ns}\" is not a valid namespace (lowercase letters, digits and '-', at most 63 characters)");
        }

        Names.ValidateLabels(meta.Labels, nested, "metadata.labels");
        if (meta.Annotations is { } annotations)
        {
            foreach (var key in annotations.Keys.Where(k => !Names.IsLabelKey(k)))
            {
                nested.Add($"metadata.annotations[{key}]", $"\"{key}\" is not a valid annotation key");
            }
        }

        obj.ValidateBody(nested);
        foreach (var error in nested.Errors)
        {
            context.Add(prefix.Length == 0 ? error.Path : $"{prefix}.{error.Path}", error.Message);
        }
    }
}
