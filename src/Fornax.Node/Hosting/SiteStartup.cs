using Fornax.Core.Validation;
using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links;
using Fornax.Store;

namespace Fornax.Node.Hosting;

/// <summary>Who a site is when it starts, from its data directory and options (docs/tree.md, "Joining" and "Attaching a subtree").</summary>
internal static class SiteStartup
{
    /// <summary>
    /// In order: finish switching to a staged move (a restart after an attachment, or after a crash half-way);
    /// a site with a parent and a certificate is a joined site (the token is not needed again); without
    /// <c>join</c> the site is a root (creating the tree CA the first time); with <c>join</c>, a root that already
    /// has its own tree is attached under that parent with its whole subtree, and a new site joins as a leaf.
    /// </summary>
    public static async Task<(SiteIdentity Identity, TreeCertificateAuthority? Ca, ParentInfo? Parent)> ResolveIdentityAsync(NodeOptions options, IObjectStore store, CancellationToken ct)
    {
        var pki = new PkiOptions { DataDirectory = options.DataDirectory, TimeProvider = options.TimeProvider };
        SiteIdentity.ApplyStagedMove(pki);
        var parent = ParentInfo.TryLoad(options.DataDirectory);
        var existing = SiteIdentity.TryLoad(pki);
        if (parent is not null && existing is not null)
        {
            if (UplinkRefusal.TryLoad(options.DataDirectory) is { } refusal)
            {
                if (refusal.Certificate != SiteCertificates.Fingerprint(existing.Certificate))
                {
                    UplinkRefusal.Clear(options.DataDirectory); // joined again already; a crash kept the record
                }
                else if (options.Join is not null && JoinTokenOf(options) is { } token)
                {
                    return await RejoinAsync(options with { JoinToken = token }, pki, existing, refusal.Reason, ct);
                }
            }

            return (existing, null, parent);
        }

        if (options.Join is null)
        {
            var ca = TreeCertificateAuthority.LoadOrCreate(pki);
            return (existing ?? SiteIdentity.CreateForRoot(pki, ca, options.Name), ca, null);
        }

        if (JoinTokenOf(options) is not { } joinToken)
        {
            existing?.Dispose();
            var missing = options.JoinTokenFile is { } file ? $" ({file} holds none)" : "";
            throw new ObjectValidationException([new ValidationError("joinToken", $"required to join a parent the first time{missing} (create one with `fornax token create` at the parent)")], "invalid site configuration");
        }

        if (existing is not null && TreeCertificateAuthority.Exists(pki))
        {
            try
            {
                var subtree = await SubtreeSites.PathsUnderAsync(store, existing.SitePath, ct);
                await AttachClient.AttachAsync(options.Join, joinToken, existing, subtree, pki, ct);
            }
            finally
            {
                existing.Dispose();
            }

            SiteIdentity.ApplyStagedMove(pki);
            return (SiteIdentity.TryLoad(pki)!, null, ParentInfo.TryLoad(options.DataDirectory));
        }

        existing?.Dispose();
        var (joined, joinedParent) = await JoinClient.JoinAsync(options.Join, joinToken, options.Name, pki, ct);
        return (joined, null, joinedParent);
    }

    /// <summary>
    /// The join token: <see cref="NodeOptions.JoinToken"/>, else the first line of <see cref="NodeOptions.JoinTokenFile"/>
    /// (read only here, when the site is about to join); null when neither holds one.
    /// </summary>
    private static string? JoinTokenOf(NodeOptions options)
    {
        if (!string.IsNullOrEmpty(options.JoinToken))
        {
            return options.JoinToken;
        }

        if (options.JoinTokenFile is not { } file || !File.Exists(file))
        {
            return null;
        }

        var token = File.ReadLines(file).FirstOrDefault()?.Trim();
        return string.IsNullOrEmpty(token) ? null : token;
    }

    /// <summary>
    /// A site its parent forgot (<c>DATA/links/refused.json</c>) started with a join token joins again: a new key and
    /// certificate, the same store. Only then is a token used at a joined site, so restarting one with the command line
    /// it first joined with (a used token) still just starts it. A refused join changes nothing and stops the start.
    /// </summary>
    private static async Task<(SiteIdentity Identity, TreeCertificateAuthority? Ca, ParentInfo? Parent)> RejoinAsync(NodeOptions options, PkiOptions pki, SiteIdentity existing, string refusal, CancellationToken ct)
    {
        existing.Dispose();
        try
        {
            var (joined, joinedParent) = await JoinClient.JoinAsync(options.Join!, options.JoinToken!, options.Name, pki, ct);
            UplinkRefusal.Clear(options.DataDirectory);
            return (joined, null, joinedParent);
        }
        catch (JoinRefusedException e)
        {
            throw new JoinRefusedException(e.StatusCode, $"{e.Message} (joining again: {refusal})");
        }
    }
}
