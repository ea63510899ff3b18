using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Paperboy.Core.Accounts;
using Paperboy.Storage.Sqlite;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Browser;

/// <summary>
/// The community loop in Chromium, as people do it: sign in with the link from the mail (a real SMTP server), choose a
/// handle, submit a paper, upvote it (with scripts, and with scripts off by the form), discuss it with Markdown and
/// math, sign out; a second member sees it all; an admin hides a comment. PAPERBOY_SCREENSHOTS=dir saves each page at
/// 390 and 1280 px.
/// </summary>
public sealed class CommunityBrowserTests : IAsyncLifetime
{
    private readonly TestData.TempDir _dir = new();
    private TestSmtp _smtp = null!;
    private LiveSite _site = null!;
    private string _baseUrl = "";
    private string _paperId = "";
    private string _title = "";

    public async Task InitializeAsync()
    {
        // A paper announced yesterday (a real record from the listings, given yesterday's date), so today's Daily takes it.
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var source = TestData.Listing("2025-03-20");
        var listing = Path.Combine(_dir.Path, yesterday + ".jsonl.gz");
        string firstLine;
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(source), CompressionMode.Decompress)))
            firstLine = (await reader.ReadLineAsync())!;
        await using (var writer = new StreamWriter(new GZipStream(File.Create(listing), CompressionLevel.Fastest)))
            await writer.WriteLineAsync(firstLine);
        using (var doc = System.Text.Json.JsonDocument.Parse(firstLine))
            _paperId = doc.RootElement.GetProperty("id").GetString()!;

        var data = Path.Combine(_dir.Path, "data");
        await using (var store = SqliteStorage.Open(data))
        {
            await store.MigrateAsync();
            await Importing.ImportAsync(store, listing);
            _title = (await store.GetPaperAsync(_paperId))!.Paper.Title;
        }
        _smtp = TestSmtp.Start();
        _site = await LiveSite.StartAsync(data,
            "--Mail:Smtp:Host=127.0.0.1", $"--Mail:Smtp:Port={_smtp.Port}", "--Mail:Smtp:Security=None", "--Mail:PollSeconds=0.2", "--Web:ChangePollSeconds=0");
        _baseUrl = _site.BaseUrl;
        await _site.Services.GetRequiredService<IUserStore>().AddUserAsync("root@example.org", "root", UserRole.Admin);
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _smtp.DisposeAsync();
        _dir.Dispose();
    }

    private static readonly string? Shots = Environment.GetEnvironmentVariable("PAPERBOY_SCREENSHOTS") is { Length: > 0 } s ? s : null;

    /// <summary>Saves the page at phone and desktop width (when PAPERBOY_SCREENSHOTS is set).</summary>
    private static async Task ShootAsync(IPage page, string name)
    {
        if (Shots is null)
            return;
        Directory.CreateDirectory(Shots);
        var size = page.ViewportSize;
        foreach (var width in new[] { 390, 1280 })
        {
            await page.SetViewportSizeAsync(width, width == 390 ? 844 : 900);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"{name}-{width}.png"), FullPage = true });
        }
        if (size is not null)
            await page.SetViewportSizeAsync(size.Width, size.Height);
    }

    /// <summary>Signs in through the emailed link; a newcomer chooses <paramref name="handle"/>.</summary>
    private async Task SignInAsync(IPage page, string email, string? handle, string? shots = null)
    {
        await page.GotoAsync(_baseUrl + "/sign-in");
        if (shots is not null)
            await ShootAsync(page, shots + "-form");
        await page.FillAsync("#email", email);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Check your inbox");
        var mail = await _smtp.WaitForAsync(email);
        var link = TestSmtp.Link(mail);
        Assert.StartsWith(_baseUrl + "/sign-in/link?token=", link, StringComparison.Ordinal);
        await page.GotoAsync(link);
        await page.ClickAsync("#use-link");
        if (handle is not null)
        {
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Welcome to Paperboy");
            if (shots is not null)
                await ShootAsync(page, shots + "-handle");
            await page.FillAsync("#handle", handle);
            await page.ClickAsync("button[type=submit]");
            // A new member is offered the start of For you first.
            await page.ClickAsync("#skip");
        }
        await page.WaitForURLAsync(_baseUrl + "/");
    }

    [Fact]
    public async Task Members_sign_in_submit_upvote_discuss_and_an_admin_hides_a_comment()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LiveSite.LaunchChromiumAsync(playwright);
        var adaContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var ada = await adaContext.NewPageAsync();
        var errors = new List<string>();
        ada.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("favicon", StringComparison.Ordinal)) errors.Add(m.Text); };
        ada.Response += (_, r) => { if (r.Status >= 400 && !r.Url.Contains("favicon", StringComparison.Ordinal)) errors.Add($"{r.Status} {r.Url}"); };

        // 1. Ada signs in with the link from the mail and chooses a handle; the header names her.
        await SignInAsync(ada, "ada@example.org", "ada", shots: "sign-in");
        await Assertions.Expect(ada.Locator("header a.account")).ToHaveTextAsync("ada");

        // 2. She submits yesterday's paper; it is on today's Daily.
        await ada.GotoAsync(_baseUrl + "/papers/submit?id=" + _paperId);
        await ShootAsync(ada, "submit");
        await ada.ClickAsync(".submit-form button");
        await ada.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/\?submitted="));
        await Assertions.Expect(ada.Locator(".summary .total")).ToHaveTextAsync("1 featured paper");
        await Assertions.Expect(ada.Locator("article.paper h2")).ToHaveTextAsync(_title);
        await Assertions.Expect(ada.Locator("article.paper .submitter")).ToContainTextAsync("submitted by ada");

        // 3. She upvotes it: the count changes and the page is not reloaded.
        var button = ada.Locator("article.paper form.upvote button");
        await Assertions.Expect(button).ToHaveAttributeAsync("aria-pressed", "false"); // the script asked who she is
        await ada.EvaluateAsync("() => window.notReloaded = true");
        await button.ClickAsync();
        await Assertions.Expect(ada.Locator("article.paper form.upvote .count")).ToHaveTextAsync("1");
        await Assertions.Expect(button).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.True(await ada.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await ShootAsync(ada, "daily");

        // 4. She comments with Markdown and math; KaTeX typesets it.
        await ada.ClickAsync("article.paper h2 a");
        await ada.FillAsync("#comment-text", "**Great** result: $E=mc^2$ and a [link](https://example.org)");
        await ada.ClickAsync(".comment-form button");
        var comment = ada.Locator("article.comment").First;
        await Assertions.Expect(comment.Locator("strong")).ToHaveTextAsync("Great");
        await Assertions.Expect(comment.Locator(".katex")).ToHaveCountAsync(1);
        Assert.Equal("nofollow ugc noopener", await comment.Locator(".comment-body a").GetAttributeAsync("rel"));
        await ShootAsync(ada, "paper");

        // 5. Bob, with scripts off, signs in, upvotes by the form (one more page) and replies.
        var bobContext = await browser.NewContextAsync(new() { JavaScriptEnabled = false, ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true });
        var bob = await bobContext.NewPageAsync();
        await SignInAsync(bob, "bob@example.org", "bob");
        await Assertions.Expect(bob.Locator("article.paper form.upvote .count")).ToHaveTextAsync("1");
        await bob.ClickAsync("article.paper form.upvote button");
        await bob.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/upvote/"));
        await ShootAsync(bob, "upvote-form");
        await bob.ClickAsync("#confirm-upvote");
        await bob.WaitForURLAsync(_baseUrl + "/");
        await Assertions.Expect(bob.Locator("article.paper form.upvote .count")).ToHaveTextAsync("2");
        await bob.ClickAsync("article.paper h2 a");
        await Assertions.Expect(bob.Locator("article.comment").First).ToContainTextAsync("Great result");
        await bob.ClickAsync(".reply-box summary");
        await bob.FillAsync(".reply-box textarea", "Agreed, and the *units* check out.");
        await bob.ClickAsync(".reply-box button");
        await Assertions.Expect(bob.Locator(".reply article.comment")).ToContainTextAsync("units check out");
        await Assertions.Expect(bob.Locator(".community-line .count")).ToHaveTextAsync("2");

        // 6. Ada sees Bob's reply and signs out.
        await ada.ReloadAsync();
        await Assertions.Expect(ada.Locator(".reply article.comment")).ToContainTextAsync("units check out");
        await ada.GotoAsync(_baseUrl + "/settings");
        await ShootAsync(ada, "settings");
        await ada.ClickAsync("#sign-out");
        await ada.WaitForURLAsync(_baseUrl + "/");
        await Assertions.Expect(ada.Locator("header a.account")).ToHaveTextAsync("Sign in");
        await ada.GotoAsync(_baseUrl + "/users/ada");
        await ShootAsync(ada, "profile");

        // 7. The admin hides Ada's comment: readers see a placeholder where it was; Bob's reply stays.
        var rootContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var root = await rootContext.NewPageAsync();
        await SignInAsync(root, "root@example.org", null);
        await root.GotoAsync(_baseUrl + "/papers/" + _paperId);
        await root.Locator("article.comment").First.Locator("button", new() { HasText = "Hide" }).ClickAsync();
        await Assertions.Expect(root.Locator("article.comment").First).ToContainTextAsync("[hidden from readers]");
        await root.GotoAsync(_baseUrl + "/admin/moderation");
        await Assertions.Expect(root.Locator("table.audit")).ToContainTextAsync("hide-comment");
        await ShootAsync(root, "moderation");

        await bob.ReloadAsync();
        await Assertions.Expect(bob.Locator("article.comment").First).ToContainTextAsync("[hidden by a moderator]");
        await Assertions.Expect(bob.Locator(".reply article.comment")).ToContainTextAsync("units check out");
        await bob.GotoAsync(_baseUrl + "/papers/trending");
        await ShootAsync(bob, "trending");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
