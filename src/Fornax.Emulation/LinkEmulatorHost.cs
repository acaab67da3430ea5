using System.Collections.Concurrent;
using System.Net;

namespace Fornax.Emulation;

/// <summary>A named emulated link: traffic from site <see cref="From"/> to site <see cref="To"/>.</summary>
public sealed record NamedLink(string From, string To, LinkEmulator Emulator)
{
    public string Name => LinkEmulatorHost.NameOf(From, To);
}

/// <summary>
/// The emulated links of one process (a local topology), by name <c>a-&gt;b</c> (a dials b through it), so that
/// <c>fornax link cut A B</c> and <c>heal</c> can be served by whatever hosts the sites.
/// </summary>
public sealed class LinkEmulatorHost(TimeProvider timeProvider) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string From, string To), LinkEmulator> _links = new();

    public static string NameOf(string from, string to) => $"{from}->{to}";

    /// <summary>Every link, ordered by name.</summary>
    public IReadOnlyList<NamedLink> Links =>
        [.. _links.Select(p => new NamedLink(p.Key.From, p.Key.To, p.Value)).OrderBy(l => l.Name, StringComparer.Ordinal)];

    /// <summary>Starts the link <c>from-&gt;to</c>; <c>from</c> then dials <see cref="LinkEmulator.Endpoint"/> instead of <paramref name="target"/>.</summary>
    /// <exception cref="InvalidOperationException">That link exists.</exception>
    public async Task<LinkEmulator> StartLinkAsync(string from, string to, IPEndPoint target, LinkProfileOptions profile, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(from);
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        if (_links.ContainsKey((from, to)))
        {
            throw new InvalidOperationException($"link {NameOf(from, to)} exists");
        }

        var link = await LinkEmulator.StartAsync(target, profile, timeProvider, cancellationToken);
        if (!_links.TryAdd((from, to), link))
        {
            await link.DisposeAsync();
            throw new InvalidOperationException($"link {NameOf(from, to)} exists");
        }

        return link;
    }

    public bool TryGet(string from, string to, out LinkEmulator link) => _links.TryGetValue((from, to), out link!);

    /// <exception cref="KeyNotFoundException">No such link; the message lists the links there are.</exception>
    public LinkEmulator Get(string from, string to) =>
        TryGet(from, to, out var link) ? link : throw new KeyNotFoundException($"no link {NameOf(from, to)}; links: {Describe()}");

    /// <summary>Cuts the links between <paramref name="a"/> and <paramref name="b"/>, whichever of them dials.</summary>
    /// <returns>How many links were cut (1, or 2 when each dials the other).</returns>
    /// <exception cref="KeyNotFoundException">There is no link between them.</exception>
    public int Cut(string a, string b, LinkCutMode mode = LinkCutMode.Reset) => ForPair(a, b, link => link.Cut(mode));

    /// <summary>Heals the links between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public int Heal(string a, string b) => ForPair(a, b, link => link.Heal());

    /// <summary>Cuts every link to or from <paramref name="site"/>: the site is isolated. Returns how many.</summary>
    public int CutSite(string site, LinkCutMode mode = LinkCutMode.Reset) => ForSite(site, link => link.Cut(mode));

    public int HealSite(string site) => ForSite(site, link => link.Heal());

    /// <summary>Stops and removes the link <c>from-&gt;to</c>; false when there was none.</summary>
    public async Task<bool> StopLinkAsync(string from, string to)
    {
        if (!_links.TryRemove((from, to), out var link))
        {
            return false;
        }

        await link.DisposeAsync();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        var links = _links.Values.ToList();
        _links.Clear();
        foreach (var link in links)
        {
            await link.DisposeAsync();
        }
    }

    private int ForPair(string a, string b, Action<LinkEmulator> action)
    {
        var matched = _links.Where(p => p.Key == (a, b) || p.Key == (b, a)).Select(p => p.Value).ToList();
        if (matched.Count == 0)
        {
            throw new KeyNotFoundException($"no link between {a} and {b}; links: {Describe()}");
        }

        matched.ForEach(action);
        return matched.Count;
    }

    private int ForSite(string site, Action<LinkEmulator> action)
    {
        var matched = _links.Where(p => p.Key.From == site || p.Key.To == site).Select(p => p.Value).ToList();
        if (matched.Count == 0)
        {
            throw new KeyNotFoundException($"no link to or from {site}; links: {Describe()}");
        }

        matched.ForEach(action);
        return matched.Count;
    }

    private string Describe() => _links.IsEmpty ? "none" : string.Join(", ", Links.Select(l => l.Name));
}
