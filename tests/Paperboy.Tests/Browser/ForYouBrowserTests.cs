using Microsoft.Playwright;
using Paperboy.Storage.Sqlite;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Browser;

/// <summary>
/// "For you" in Chromium: with nothing saved it says how to start; after a save the list ranks the week's new papers
/// by it and says why (the saved paper, shared terms); "not interested" on the top one takes it and its like down.
/// PAPERBOY_SCREENSHOTS=dir saves the page at 390 and 1280 px.
/// </summary>
public sealed class ForYouBrowserTests : IAsyncLifetime
{
    private readonly TestData.TempDir _dir = new();
    private TestSmtp _smtp = null!;
    private LiveSite _site = null!;
    private Core.Papers.PaperRecord _liked = null!;

    public async Task InitializeAsync()
    {
        var data = Path.Combine(_dir.Path, "data");
        await using (var store = SqliteStorage.Open(data))
        {
            await store.MigrateAsync();
            await Importing.ImportAsync(store, TestData.Listing("2025-03-18"), TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"));
            var listing = await store.GetListingAsync(new Core.Papers.ListingQuery(Core.Papers.ListingPeriod.Day(new DateOnly(2025, 3, 19)), "cs.CL", Core.Papers.ListingSort.Published, 0, 1));
            _liked = listing.Items[0].Paper;
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

    private static readonly string? Shots = Environment.GetEnvironmentVariable("PAPERBOY_SCREENSHOTS") is { Length: > 0 } s ? s : null;

    [Fact]
    public async Task A_save_ranks_the_new_papers_with_reasons_and_not_interested_takes_one_down()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LiveSite.LaunchChromiumAsync(playwright);
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true });
        var page = await context.NewPageAsync();
        var baseUrl = _site.BaseUrl;
        await page.GotoAsync(baseUrl + "/sign-in");
        await page.FillAsync("#email", "ada@example.org");
        await page.ClickAsync("button[type=submit]");
        await page.GotoAsync(TestSmtp.Link(await _smtp.WaitForAsync("ada@example.org")));
        await page.ClickAsync("#use-link");
        await page.FillAsync("#handle", "ada");
        await page.ClickAsync("button[type=submit]");
        await page.ClickAsync("#skip"); // a new member is offered the start of For you first
        await page.WaitForURLAsync(baseUrl + "/");

        // Nothing to learn from yet: the page says how to start.
        await page.GotoAsync(baseUrl + "/for-you");
        await Assertions.Expect(page.Locator(".for-you-start")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("article.paper")).ToHaveCountAsync(0);

        // Save one paper on its page; the list now ranks the week's papers by it and says why.
        await page.GotoAsync(baseUrl + "/papers/" + _liked.Id);
        await page.Locator(".community-line .lib-save button").ClickAsync();
        await Assertions.Expect(page.Locator(".community-line .lib-save button")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.GotoAsync(baseUrl + "/for-you");
        var cards = page.Locator("article.paper");
        await Assertions.Expect(cards).ToHaveCountAsync(50);
        var first = await cards.First.GetAttributeAsync("data-paper-id");
        Assert.NotEqual(_liked.Id, first); // what was saved is not recommended back
        var because = page.Locator($"p.because[data-because=\"{first}\"]");
        await Assertions.Expect(because.Locator("a")).ToHaveTextAsync(_liked.Title);
        await Assertions.Expect(because.Locator(".terms")).Not.ToBeEmptyAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "wider than a phone");
        if (Shots is not null)
        {
            Directory.CreateDirectory(Shots);
            foreach (var width in new[] { 390, 1280 })
            {
                await page.SetViewportSizeAsync(width, width == 390 ? 844 : 900);
                await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"for-you-{width}.png") });
            }
            await page.SetViewportSizeAsync(390, 844);
        }

        // "Not interested" on the top recommendation: after a reload it is gone, and the list has changed.
        var before = await cards.EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.paperId)");
        await cards.First.Locator(".lib-dismiss button").ClickAsync();
        await Assertions.Expect(cards.First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bdismissed\b"));
        await page.ReloadAsync();
        var after = await page.Locator("article.paper").EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.paperId)");
        Assert.DoesNotContain(first, after);
        Assert.NotEqual(before.Skip(1).Take(after.Length), after.AsEnumerable()); // the negative moved its neighbours, not only the one paper
    }
}
