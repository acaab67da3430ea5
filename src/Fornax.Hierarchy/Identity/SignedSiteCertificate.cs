namespace Fornax.Hierarchy.Identity;

/// <summary>What the signer sends back to a joining site: its certificate and the tree CA (PEM).</summary>
/// <param name="CertificatePem">The site certificate, signed by the tree CA.</param>
/// <param name="CaChainPem">The certificates from the issuer up to the tree CA; today only the tree CA itself.</param>
public sealed record SignedSiteCertificate(string CertificatePem, string CaChainPem);
