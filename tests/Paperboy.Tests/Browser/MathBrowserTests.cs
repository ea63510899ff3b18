using Microsoft.Playwright;
using Paperboy.Storage.Sqlite;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Browser;

/// <summary>KaTeX typesets abstracts and comment math in a real browser, under the site's Content-Security-Policy.</summary>
public sealed class MathBrowserTests : IAsyncLifetime
{
    private readonly TestData.TempDir _dir = new();
    private LiveSite _site = null!;
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        await using var store = SqliteStorage.Open(_dir.Path);
        await store.MigrateAsync();
        await Importing.ImportAsync(store, TestData.Listing("2025-03-19"));
        _site = await LiveSite.StartAsync(_dir.Path);
        _baseUrl = _site.BaseUrl;
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Dollar_math_in_an_abstract_and_comment_math_are_typeset_without_breaking_the_policy()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LiveSite.LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning" && !m.Location.Contains("/favicon.ico", StringComparison.Ordinal))
                problems.Add(m.Text + " " + m.Location);
        };
        page.PageError += (_, e) => problems.Add(e);
        page.Response += (_, r) =>
        {
            if (r.Status >= 400 && !r.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
                problems.Add($"{r.Status} {r.Url}");
        };

        // "... the projection direction $\lambda$." in the abstract of arXiv:2503.13623.
        await page.GotoAsync(_baseUrl + "/papers/2503.13623");
        var typeset = page.Locator(".abstract.full .katex");
        await Assertions.Expect(typeset).Not.ToHaveCountAsync(0);
        Assert.Contains(@"\lambda", await typeset.First.Locator("annotation").TextContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("$", await page.Locator(".abstract.full").InnerTextAsync(), StringComparison.Ordinal);

        // KaTeX's own font came from /static/katex/fonts, and its inline sizes were set (through the CSSOM).
        Assert.True(await page.EvaluateAsync<bool>("document.fonts.ready.then(() => document.fonts.check('16px KaTeX_Main'))"));
        Assert.True(await page.EvaluateAsync<bool>("[...document.querySelectorAll('.katex-html [style]')].length > 0"));

        // What the comment Markdown renderer writes, added later, typeset by window.paperboyMath.
        await page.EvaluateAsync("""
            () => {
                const div = document.createElement('div');
                div.id = 'comment';
                div.innerHTML = '<p>so <span class="math">\\(E=mc^2\\)</span></p><div class="math">\\[\\sum_i a_i\\]</div>';
                document.querySelector('main').appendChild(div);
                window.paperboyMath(div);
            }
            """);
        Assert.Equal(2, await page.Locator("#comment .katex").CountAsync());
        Assert.Equal(1, await page.Locator("#comment .katex-display").CountAsync());

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
