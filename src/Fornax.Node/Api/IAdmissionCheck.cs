using Fornax.Core.Objects;
using Fornax.Core.Validation;

namespace Fornax.Node.Api;

/// <summary>
/// A check that runs on every object written through the API, after validation and before the store:
/// a place for rules that need the site (a Function's module must be a stored blob that compiles).
/// </summary>
public interface IAdmissionCheck
{
    ValueTask CheckAsync(FornaxObject obj, ValidationContext context, CancellationToken ct);
}
