using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// The child's side of being forgotten at its parent (docs/tree.md, "Forgetting a site"): the parent refuses the link
/// for good (<see cref="ForgottenRefusal"/>). The uplink stops dialing, logs the reason once, shows it in
/// <see cref="Refusal"/> (<c>GET /api/site</c>) and remembers it in <c>DATA/links/refused.json</c>, which lets the next
/// start join again when it is given a new join token.
/// </summary>
public sealed partial class Uplink
{
    /// <summary>Why the parent refuses this site's link for good (it was forgotten there), or null.</summary>
    public string? Refusal { get; private set; }

    private void Refused(string reason)
    {
        Refusal = reason;
        UplinkRefusal.Save(_dataDirectory, new UplinkRefusal(reason, SiteCertificates.Fingerprint(_identity.Certificate)));
        LogRefused(_parentLink, reason);
    }

    [LoggerMessage(EventId = 329, Level = LogLevel.Error, Message = "The parent at {Parent} refuses this site's link: {Reason}. Not dialing it again; restart with --join and a new join token to join again")]
    private partial void LogRefused(string parent, string reason);
}

/// <summary><c>DATA/links/refused.json</c>: this site was forgotten at its parent, why, and which certificate was refused.</summary>
/// <param name="Reason">The parent's reason.</param>
/// <param name="Certificate">The fingerprint of the certificate refused: once the site holds another one, it has joined again.</param>
public sealed record UplinkRefusal(string Reason, string Certificate)
{
    public static string FileOf(string dataDirectory) => Path.Combine(dataDirectory, "links", "refused.json");

    public static void Save(string dataDirectory, UplinkRefusal refusal) =>
        PkiFiles.WriteAtomically(FileOf(dataDirectory), new JsonObject { ["reason"] = refusal.Reason, ["certificate"] = refusal.Certificate }.ToJsonString(), secret: false);

    /// <summary>The refusal this site remembers, or null.</summary>
    /// <exception cref="InvalidDataException">The file exists but cannot be read.</exception>
    public static UplinkRefusal? TryLoad(string dataDirectory)
    {
        var file = FileOf(dataDirectory);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            var doc = JsonNode.Parse(File.ReadAllText(file))!;
            return new UplinkRefusal(doc["reason"]!.GetValue<string>(), doc["certificate"]!.GetValue<string>());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException)
        {
            throw new InvalidDataException($"{file}: not a refusal record ({e.Message}); delete it", e);
        }
    }

    public static void Clear(string dataDirectory) => File.Delete(FileOf(dataDirectory));
}
