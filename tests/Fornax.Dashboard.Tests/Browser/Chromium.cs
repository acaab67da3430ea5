using Microsoft.Playwright;

namespace Fornax.Dashboard.Tests.Browser;

/// <summary>
/// Debian's chromium driven by Playwright's bundled driver: no browser download (none is possible here), the
/// binary itself rather than the <c>/usr/bin/chromium</c> wrapper, headless, and nothing that calls out.
/// </summary>
public static class Chromium
{
    public const string DefaultPath = "/usr/lib/chromium/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var path = Environment.GetEnvironmentVariable("FORNAX_CHROMIUM") ?? DefaultPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"chromium not found at {path}: install Debian's 'chromium' package (.ci/setup/40-chromium.sh) or set FORNAX_CHROMIUM");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
