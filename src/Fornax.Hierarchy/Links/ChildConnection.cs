using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Hierarchy.Links;

/// <summary>A child's link session as the parent admitted it.</summary>
/// <param name="ReportsReceived">The report sequence already held from this incarnation of the child.</param>
/// <param name="Closed">Cancelled when the child is forgotten (<see cref="Downlinks.ForgetAsync"/>): the session must end.</param>
public readonly record struct ChildConnection(long ReportsReceived, CancellationToken Closed);
