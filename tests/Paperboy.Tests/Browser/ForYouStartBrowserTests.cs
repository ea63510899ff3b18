using Microsoft.Playwright;
using Paperboy.Storage.Sqlite;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Browser;

/// <summary>
/// The cold start in Chromium: right after sign-up a new member picks categories, then papers among the week's most
/// upvoted and newest in them; For you first shows the picked categories' papers (saying so) and, once papers are
/// saved, ranks by them.
/// </summary>
public sealed class ForYouStartBrowserTests : IAsyncLifetime
{
    private readonly TestData.TempDir _dir = new();
    private TestSmtp _smtp = null!;
    private LiveSite _site = null!;

    public async Task InitializeAsync()
    {
        var data = Path.Combine(_dir.Path, "data");
        await using (var store = SqliteStorage.Open(data))
        {
            await store.MigrateAsync();
            await Importing.ImportAsync(store, TestData.Listing("2025-03-18"), TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"));
        }
        _smtp = TestSmtp.Start();
        _site = await LiveSite.StartAsync(data,
            "--Mail:Smtp:Host=127.0.0.1", $"--Mail:Smtp:Port={_smtp.Port}", "--Mail:Smtp:Security=None", "--Mail:PollSeconds=0.2", "--Web:ChangePollSeconds=0");
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _smtp.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_new_member_picks_categories_and_papers_and_for_you_starts_from_them()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LiveSite.LaunchChromiumAsync(playwright);
        var page = await (await browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true })).NewPageAsync();
        var baseUrl = _site.BaseUrl;
        await page.GotoAsync(baseUrl + "/sign-in");
        await page.FillAsync("#email", "ada@example.org");
        await page.ClickAsync("button[type=submit]");
        await page.GotoAsync(TestSmtp.Link(await _smtp.WaitForAsync("ada@example.org")));
        await page.ClickAsync("#use-link");
        await page.FillAsync("#handle", "ada");
        await page.ClickAsync("button[type=submit]");

        // Right after sign-up: the start. Categories first (only those with papers here), then the week's papers in them.
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/for-you/start"));
        await page.CheckAsync("input[name=c][value='cs.CV']");
        await page.ClickAsync("#show-papers");
        var offered = page.Locator("label.start-paper");
        await Assertions.Expect(offered).ToHaveCountAsync(Paperboy.Web.ForYou.StartPageModel.PerCategory);
        Assert.All(await offered.AllInnerTextsAsync(), t => Assert.Contains("cs.CV", t, StringComparison.Ordinal));

        // Categories alone (nothing saved): For you shows their new papers and says so.
        await page.ClickAsync("#save-picks");
        await page.WaitForURLAsync(baseUrl + "/for-you");
        await Assertions.Expect(page.Locator(".for-you-fallback")).ToContainTextAsync("cs.CV");
        var cards = page.Locator("article.paper");
        await Assertions.Expect(cards).Not.ToHaveCountAsync(0);
        foreach (var card in (await cards.AllAsync()).Take(10))
            await Assertions.Expect(card).ToContainTextAsync("cs.CV");

        // Back to the start: the category is remembered; pick two papers. They are saved, and the list learns from them.
        await page.GotoAsync(baseUrl + "/for-you/start");
        await Assertions.Expect(page.Locator("input[name=c][value='cs.CV']").First).ToBeCheckedAsync();
        await page.ClickAsync("#show-papers");
        var picked = new List<string>();
        foreach (var label in (await offered.AllAsync()).Take(2))
        {
            picked.Add((await label.GetAttributeAsync("data-paper-id"))!);
            await label.Locator("input").CheckAsync();
        }
        await page.ClickAsync("#save-picks");
        await page.WaitForURLAsync(baseUrl + "/for-you");
        await Assertions.Expect(page.Locator(".for-you-fallback")).ToHaveCountAsync(0);
        await Assertions.Expect(cards).ToHaveCountAsync(50);
        var first = await cards.First.GetAttributeAsync("data-paper-id");
        Assert.DoesNotContain(first, picked);
        await Assertions.Expect(page.Locator($"p.because[data-because=\"{first}\"] a").First).ToBeVisibleAsync();
        await page.GotoAsync(baseUrl + "/library");
        foreach (var id in picked)
            await Assertions.Expect(page.Locator($"article.paper[data-paper-id=\"{id}\"]")).ToHaveCountAsync(1);
    }
}
