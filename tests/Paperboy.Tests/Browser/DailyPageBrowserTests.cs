using Microsoft.Playwright;
using Paperboy.Storage.Sqlite;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Browser;

/// <summary>Debian's Chromium, driven by Playwright, reading the site as a person on a phone would.</summary>
public sealed class DailyPageBrowserTests : IAsyncLifetime
{
    private static readonly PageWaitForURLOptions Committed = new() { WaitUntil = WaitUntilState.Commit };

    private readonly TestData.TempDir _dir = new();
    private LiveSite _site = null!;
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        await using var store = SqliteStorage.Open(_dir.Path);
        await store.MigrateAsync();
        await Importing.ImportAsync(store, TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"), TestData.Listing("2025-03-24"));
        _site = await LiveSite.StartAsync(_dir.Path);
        _baseUrl = _site.BaseUrl;
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_reader_goes_from_a_day_to_the_next_day_and_opens_a_paper()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LiveSite.LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true });

        await page.GotoAsync(_baseUrl + "/papers/date/2025-03-19");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Papers of Wednesday, 19 March 2025");
        var firstDayCount = await page.Locator(".summary .total").InnerTextAsync();
        Assert.Matches(@"^\d+ papers$", firstDayCount);
        // Nothing is wider than a phone's screen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));

        await page.Locator(".days a[rel=next]").ClickAsync();
        // Wait for the navigation to commit, not for "load": that wait timed out once in ~30 runs on a busy machine
        // though the page had arrived. The assertions below wait for what they need.
        await page.WaitForURLAsync("**/papers/date/2025-03-20", Committed);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Papers of Thursday, 20 March 2025");
        await Assertions.Expect(page.Locator(".summary .total")).ToHaveTextAsync("211 papers");
        await Assertions.Expect(page.Locator("article.paper")).ToHaveCountAsync(50);
        Assert.Equal("Page 1 of 5", await page.Locator(".pager span").InnerTextAsync());

        var first = page.Locator("article.paper h2 a").First;
        var title = await first.InnerTextAsync();
        var abstractStart = await page.Locator("article.paper .abstract").First.InnerTextAsync();
        await first.ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/papers/\d{4}\.\d{4,5}$"), Committed);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(title);
        var fullAbstract = await page.Locator(".abstract.full").InnerTextAsync();
        Assert.StartsWith(abstractStart.TrimEnd('…', ' ').Split(' ')[0], fullAbstract, StringComparison.Ordinal);
        Assert.True(fullAbstract.Length >= abstractStart.TrimEnd('…', ' ').Length);
        var pdf = await page.Locator("a.button", new() { HasText = "PDF" }).GetAttributeAsync("href");
        Assert.StartsWith("https://arxiv.org/pdf/", pdf, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync("2025-03-20");

        // The category chips filter the day.
        await page.GotoAsync(_baseUrl + "/papers/date/2025-03-20");
        await page.Locator(".categories a", new() { HasText = "cs.RO" }).ClickAsync();
        await Assertions.Expect(page.Locator(".summary .total")).ToHaveTextAsync("8 papers");
        await Assertions.Expect(page.Locator("article.paper")).ToHaveCountAsync(8);
    }

    [Fact]
    public async Task On_a_phone_the_first_paper_shows_without_scrolling_and_the_chips_are_arxiv_categories()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LiveSite.LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true });
        await page.GotoAsync(_baseUrl + "/papers/date/2025-03-20");

        // The whole first card's heading is on the first screen: heading, navigation, sort, submit and chips fit above it.
        var title = await page.Locator("article.paper h2").First.BoundingBoxAsync();
        Assert.NotNull(title);
        Assert.True(title.Y + title.Height <= 844, $"the first paper's title ends at {title.Y + title.Height:F0} px of 844");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));

        // The sort is one switch: the current choice pressed, the other a link.
        await Assertions.Expect(page.Locator(".sort-switch [aria-current=true]")).ToHaveTextAsync("Upvotes");
        await page.Locator(".sort-switch a", new() { HasText = "Listing order" }).ClickAsync();
        await Assertions.Expect(page.Locator(".sort-switch [aria-current=true]")).ToHaveTextAsync("Listing order");

        // Chips are arXiv categories only (the listings carry ACM classes such as "I.2.7" beside them).
        var chips = await page.Locator(".categories a").AllInnerTextsAsync();
        Assert.True(chips.Count > 5);
        Assert.All(chips.Skip(1), c => Assert.True(Core.Papers.Categories.IsArxiv(c.Split(' ', '\n')[0].Trim()), c));

        // The submit box opens on demand.
        await Assertions.Expect(page.Locator("#submit-id")).Not.ToBeVisibleAsync();
        await page.Locator(".submit-box summary").ClickAsync();
        await Assertions.Expect(page.Locator("#submit-id")).ToBeVisibleAsync();

        // Dates never break across lines.
        await page.GotoAsync(_baseUrl + "/papers/week/2025-W12");
        Assert.Equal("nowrap", await page.Locator(".meta .day").First.EvaluateAsync<string>("e => getComputedStyle(e).whiteSpace"));

        if (Environment.GetEnvironmentVariable("PAPERBOY_SCREENSHOTS") is { Length: > 0 } shots)
        {
            await page.GotoAsync(_baseUrl + "/papers/date/2025-03-20");
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "day-390.png") });
            await page.Locator("article.paper h2 a").First.ClickAsync();
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/papers/\d{4}\.\d{4,5}$"), Committed);
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "paper-390.png") });
            var wide = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
            await wide.GotoAsync(_baseUrl + "/papers/date/2025-03-20");
            await wide.ScreenshotAsync(new() { Path = Path.Combine(shots, "day-1280.png") });
            await wide.GotoAsync(_baseUrl + "/search?q=arabic+language+models&mode=keyword");
            await wide.ScreenshotAsync(new() { Path = Path.Combine(shots, "search-1280.png") });
            await page.GotoAsync(_baseUrl + "/search?q=arabic+language+models&mode=keyword");
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "search-390.png") });
        }
    }
}
