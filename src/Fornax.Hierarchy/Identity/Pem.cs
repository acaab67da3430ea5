using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fornax.Hierarchy.Identity;

/// <summary>Small PEM helpers shared by the CA and the site identity.</summary>
internal static class Pem
{
    public static byte[] ReadSingleCertificate(string path) => DecodeCertificates(File.ReadAllText(path), path) switch
    {
        [var single] => single,
        var many => throw new InvalidDataException($"{path}: expected one certificate, found {many.Count}"),
    };

    /// <summary>Every <c>CERTIFICATE</c> block in <paramref name="pem"/>, in order.</summary>
    public static List<byte[]> DecodeCertificates(string pem, string what)
    {
        var certificates = new List<byte[]>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                certificates.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            }

            rest = rest[fields.Location.End..];
        }

        return certificates.Count > 0 ? certificates : throw new InvalidDataException($"{what}: no PEM certificate found");
    }

    public static bool SamePublicKey(X509Certificate2 certificate, AsymmetricAlgorithm key) =>
        certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());
}
