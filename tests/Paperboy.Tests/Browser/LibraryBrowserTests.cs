using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Paperboy.Core.Library;
using Paperboy.Storage.Sqlite;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Browser;

/// <summary>
/// The library in Chromium: a member saves a paper with a tag, marks another "not interested", starts a collection
/// with a third, all on the cached day page without a reload; the marks are there after a reload; the library page
/// exports BibTeX, which reads back. PAPERBOY_SCREENSHOTS=dir saves each page at 390 and 1280 px.
/// </summary>
public sealed class LibraryBrowserTests : IAsyncLifetime
{
    private readonly TestData.TempDir _dir = new();
    private TestSmtp _smtp = null!;
    private LiveSite _site = null!;
    private string _baseUrl = "";
    private string[] _ids = [];

    public async Task InitializeAsync()
    {
        var data = Path.Combine(_dir.Path, "data");
        await using (var store = SqliteStorage.Open(data))
        {
            await store.MigrateAsync();
            await Importing.ImportAsync(store, TestData.Listing("2025-03-20"));
            var listing = await store.GetListingAsync(new Core.Papers.ListingQuery(Core.Papers.ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, Core.Papers.ListingSort.Published, 0, 3));
            _ids = [.. listing.Items.Select(i => i.Paper.Id)];
        }
        _smtp = TestSmtp.Start();
        _site = await LiveSite.StartAsync(data,
            "--Mail:Smtp:Host=127.0.0.1", $"--Mail:Smtp:Port={_smtp.Port}", "--Mail:Smtp:Security=None", "--Mail:PollSeconds=0.2", "--Web:ChangePollSeconds=0");
        _baseUrl = _site.BaseUrl;
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _smtp.DisposeAsync();
        _dir.Dispose();
    }

    private static readonly string? Shots = Environment.GetEnvironmentVariable("PAPERBOY_SCREENSHOTS") is { Length: > 0 } s ? s : null;

    private static async Task ShootAsync(IPage page, string name)
    {
        if (Shots is null)
            return;
        Directory.CreateDirectory(Shots);
        var size = page.ViewportSize;
        foreach (var width in new[] { 390, 1280 })
        {
            await page.SetViewportSizeAsync(width, width == 390 ? 844 : 900);
            // A day page is fifty papers long: its first screen tells the story.
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"library-{name}-{width}.png"), FullPage = name != "day" });
        }
        if (size is not null)
            await page.SetViewportSizeAsync(size.Width, size.Height);
    }

    private static Task<bool> FitsAsync(IPage page) => page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    [Fact]
    public async Task A_member_saves_with_a_tag_marks_not_interested_collects_and_exports_bibtex()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LiveSite.LaunchChromiumAsync(playwright);
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("favicon", StringComparison.Ordinal)) errors.Add(m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400 && !r.Url.Contains("favicon", StringComparison.Ordinal)) errors.Add($"{r.Status} {r.Url}"); };

        // Sign in with the link from the mail.
        await page.GotoAsync(_baseUrl + "/sign-in");
        await page.FillAsync("#email", "ada@example.org");
        await page.ClickAsync("button[type=submit]");
        await page.GotoAsync(TestSmtp.Link(await _smtp.WaitForAsync("ada@example.org")));
        await page.ClickAsync("#use-link");
        await page.FillAsync("#handle", "ada");
        await page.ClickAsync("button[type=submit]");
        await page.ClickAsync("#skip"); // a new member is offered the start of For you first
        await page.WaitForURLAsync(_baseUrl + "/");

        await page.GotoAsync(_baseUrl + "/papers/date/2025-03-20?view=all");
        await page.EvaluateAsync("() => window.notReloaded = true");
        var cards = page.Locator("article.paper");
        ILocator Card(int i) => page.Locator($"article.paper:has(.library[data-paper-id=\"{_ids[i]}\"])");
        await Assertions.Expect(cards.First.Locator(".lib-save button")).ToHaveAttributeAsync("aria-pressed", "false"); // the script asked

        // 1. Save the first paper, then tag it "to read" in the panel that opens.
        await Card(0).Locator(".lib-save button").ClickAsync();
        await Assertions.Expect(Card(0).Locator(".lib-save button")).ToHaveAttributeAsync("aria-pressed", "true");
        var tagInput = Card(0).Locator(".lib-panel input[name=tags]");
        await tagInput.FillAsync("to read");
        await tagInput.PressAsync("Enter");
        await Assertions.Expect(Card(0).Locator(".lib-panel .tag")).ToHaveTextAsync("to read×");
        await Assertions.Expect(Card(0).Locator(".lib-save .label")).ToHaveTextAsync("Saved · to read");

        // 2. "Not interested" on the second: the card dims, and the button offers to undo.
        await Card(1).Locator(".lib-dismiss button").ClickAsync();
        await Assertions.Expect(Card(1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bdismissed\b"));
        await Assertions.Expect(Card(1).Locator(".lib-dismiss .label")).ToHaveTextAsync("Not interested · undo");

        // 3. A new public collection with the third.
        await Card(2).Locator(".lib-collect button").ClickAsync();
        await Card(2).Locator(".lib-panel input[name=name]").FillAsync("Reading group");
        await Card(2).Locator(".lib-panel input[name=public]").CheckAsync();
        await Card(2).Locator(".lib-panel form.new-collection button").ClickAsync();
        await Assertions.Expect(Card(2).Locator(".lib-collect .label")).ToHaveTextAsync("In 1 collection");
        await Assertions.Expect(Card(2).Locator(".lib-panel .in a")).ToHaveTextAsync("Reading group");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        Assert.True(await FitsAsync(page), "the day page with a panel open is wider than a phone");
        await Card(0).ScrollIntoViewIfNeededAsync();
        await ShootAsync(page, "day");

        // After a reload the cached page is marked again from the state call.
        await page.ReloadAsync();
        await Assertions.Expect(Card(0).Locator(".lib-save .label")).ToHaveTextAsync("Saved · to read");
        await Assertions.Expect(Card(1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bdismissed\b"));
        await Assertions.Expect(Card(2).Locator(".lib-collect .label")).ToHaveTextAsync("In 1 collection");

        // 4. The library lists the saved paper under its tag; its BibTeX export reads back.
        await page.GotoAsync(_baseUrl + "/library");
        await Assertions.Expect(page.Locator(".tags a").Nth(1)).ToContainTextAsync("to read");
        await Assertions.Expect(page.Locator("article.paper.saved")).ToHaveCountAsync(1);
        Assert.True(await FitsAsync(page));
        await ShootAsync(page, "library");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-bib"));
        Assert.Equal("library.bib", download.SuggestedFilename);
        var bib = BibTexParser.Parse(await File.ReadAllTextAsync((await download.PathAsync())!));
        Assert.Empty(bib.Problems);
        var entry = Assert.Single(bib.Entries);
        Assert.Equal((_ids[0], "to read"), (entry["eprint"], entry["keywords"]));

        // 5. The collection's page, and the no-script page of a paper.
        await page.GotoAsync(_baseUrl + "/collections/ada/reading-group");
        await Assertions.Expect(page.Locator(".collection-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".collection-item")).ToHaveAttributeAsync("data-paper-id", _ids[2]);
        Assert.True(await FitsAsync(page));
        await ShootAsync(page, "collection");
        await page.GotoAsync(_baseUrl + "/library/papers/" + _ids[0]);
        await Assertions.Expect(page.Locator("#tags")).ToHaveValueAsync("to read");
        await ShootAsync(page, "paper-actions");
        await page.GotoAsync(_baseUrl + "/papers/" + _ids[0]);
        await Assertions.Expect(page.Locator(".community-line .lib-save .label")).ToHaveTextAsync("Saved · to read");
        await ShootAsync(page, "paper");

        var signals = await _site.Services.GetRequiredService<ILibraryStore>().GetSignalsAsync(1);
        Assert.Equal([(_ids[0], true), (_ids[1], false), (_ids[2], true)], signals.OrderBy(s => Array.IndexOf(_ids, s.PaperId)).Select(s => (s.PaperId, s.Positive)));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
