namespace Fornax.Hierarchy.Identity;

/// <summary>
/// Where a site keeps its keys and certificates (<c>DATA/pki</c>) and how long what it issues lives.
/// One record for the CA, the site identity and the token issuer, so the node builds it once.
/// </summary>
public sealed record PkiOptions
{
    /// <summary>The site's data directory; everything lives under <c>DATA/pki</c>.</summary>
    public required string DataDirectory { get; init; }

    public string PkiDirectory => Path.Combine(DataDirectory, "pki");

    /// <summary>The tree CA's lifetime (10 years: longer than any tree we expect to run without re-keying).</summary>
    public TimeSpan CaValidity { get; init; } = TimeSpan.FromDays(3650);

    /// <summary>A site certificate's lifetime.</summary>
    public TimeSpan SiteCertificateValidity { get; init; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Certificates start this far in the past, so a peer whose clock runs a little behind the issuer's
    /// does not reject a certificate issued a moment ago.
    /// </summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Subject common name of the tree CA.</summary>
    public string CaCommonName { get; init; } = "Fornax tree CA";

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the field and the value when a field is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException($"{nameof(DataDirectory)}: \"{DataDirectory}\" must be a directory path", nameof(DataDirectory));
        }

        if (CaValidity <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(CaValidity)}: {CaValidity} must be positive", nameof(CaValidity));
        }

        if (SiteCertificateValidity <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(SiteCertificateValidity)}: {SiteCertificateValidity} must be positive", nameof(SiteCertificateValidity));
        }

        if (ClockSkew < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ClockSkew)}: {ClockSkew} must not be negative", nameof(ClockSkew));
        }

        if (string.IsNullOrWhiteSpace(CaCommonName))
        {
            throw new ArgumentException($"{nameof(CaCommonName)}: \"{CaCommonName}\" must not be empty", nameof(CaCommonName));
        }
    }
}
