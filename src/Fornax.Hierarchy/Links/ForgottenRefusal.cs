using Grpc.Core;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// How a parent tells a forgotten child that its link is refused for good: <c>PermissionDenied</c> with the reason, and a
/// trailer that marks it as a forget, so the child's uplink stops dialing and shows the reason (instead of retrying
/// forever on an error that no retry fixes) and a later start may join again with a new token.
/// </summary>
public static class ForgottenRefusal
{
    public const string TrailerName = "fornax-refusal";
    public const string TrailerValue = "forgotten";

    public static RpcException Create(string reason) =>
        new(new Status(StatusCode.PermissionDenied, reason), new Metadata { { TrailerName, TrailerValue } });

    public static bool Is(RpcException e) =>
        e.StatusCode == StatusCode.PermissionDenied && e.Trailers.GetValue(TrailerName) == TrailerValue;
}
