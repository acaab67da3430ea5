namespace Fornax.Emulation;

/// <summary>How a cut link fails.</summary>
public enum LinkCutMode
{
    /// <summary>
    /// Current connections are reset at once and new ones are reset as soon as they are accepted, until
    /// <see cref="LinkEmulator.Heal"/>: a peer that went away. Clients notice immediately.
    /// </summary>
    Reset,

    /// <summary>
    /// Nothing passes, nothing is closed: current connections stall, new ones connect (the proxy accepts them) but
    /// reach nothing. On heal everything resumes, like a partition that ends. Only timeouts and keep-alives notice.
    /// </summary>
    Blackhole,
}
