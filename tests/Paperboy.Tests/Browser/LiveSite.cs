using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Paperboy.Web;

namespace Paperboy.Tests.Browser;

/// <summary>
/// The site as `serve` runs it (Kestrel on a free loopback port, over a SQLite data directory, arXiv and the model
/// off), for Debian's Chromium to visit; and that Chromium, launched as the project requires.
/// </summary>
public sealed class LiveSite : IAsyncDisposable
{
    public static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private LiveSite(Microsoft.AspNetCore.Builder.WebApplication app, string baseUrl) => (App, BaseUrl) = (app, baseUrl);

    public Microsoft.AspNetCore.Builder.WebApplication App { get; }
    public string BaseUrl { get; }
    public IServiceProvider Services => App.Services;

    /// <summary>Starts the site; <paramref name="settings"/> are more command-line settings (<c>--Section:Key=value</c>).</summary>
    public static async Task<LiveSite> StartAsync(string dataDirectory, params string[] settings)
    {
        var app = PaperboyWeb.Build(["--urls", "http://127.0.0.1:0", "--Arxiv:Schedule:Enabled=false", "--Search:Semantic=false", .. settings], dataDirectory);
        await app.StartAsync();
        return new LiveSite(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
