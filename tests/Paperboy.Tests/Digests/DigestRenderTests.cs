using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Paperboy.Core.Digests;
using Paperboy.Tests.Browser;

namespace Paperboy.Tests.Digests;

/// <summary>A digest rendered as mail: the subject, HTML that mail clients take, and the plain-text alternative.</summary>
public sealed class DigestRenderTests
{
    private const string Evil = "<script>alert(1)</script> & \"quotes\"";

    private static readonly DigestLinks Links = new(
        "https://paperboy.example.org/",
        "https://paperboy.example.org/account/digest?user=42&token=abc",
        "https://paperboy.example.org/unsubscribe?user=42&token=abc&list=digest");

    private static readonly Digest Sample = new(
        "ada@example.org",
        "Friday, 4 December 2026",
        "daily",
        [
            new DigestSection("trending", "Trending on the Daily",
            [
                new DigestEntry("2612.00001", "Scaling Laws for Sparse Mixtures of Very Long-Winded Experts in Low-Resource Settings",
                    ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth", "Tony Hoare"],
                    string.Join(" ", Enumerable.Repeat("We study how sparse expert models behave as data and parameters grow together.", 8)),
                    ["cs.LG", "cs.CL"],
                    "https://paperboy.example.org/papers/2612.00001?from=digest&d=2026-12-04",
                    Note: "7 upvotes in the last day, 2 comments: score 5.9"),
                new DigestEntry("2612.00002", Evil, ["Mallory"], "An abstract with <b>markup</b> & ampersands, and code at https://github.com/example/a-repository-with-a-rather-long-name/tree/main/experiments/configs.", ["cs.CR"],
                    "https://paperboy.example.org/papers/2612.00002"),
            ]),
            new DigestSection("follow", "Papers you follow",
            [
                new DigestEntry("2611.04242", "Diffusion Models Are Secretly Good at Arithmetic", ["Claude Shannon"],
                    "We show that diffusion models can add.", ["cs.LG"],
                    "https://paperboy.example.org/papers/2611.04242v3",
                    Note: "New version v3",
                    Diff: "- We show that diffusion models cannot add.\n+ We show that diffusion models can add, and sometimes multiply, when given enough steps and a carefully tuned noise schedule.\n  unchanged context"),
            ]),
        ],
        Links);

    private static IEnumerable<string> Urls(Digest d) =>
        d.Sections.SelectMany(s => s.Entries).Select(e => e.Url).Concat([d.Links.Site, d.Links.Manage, d.Links.Unsubscribe]);

    [Fact]
    public void The_subject_names_the_period_and_counts_the_entries()
    {
        Assert.Equal("Paperboy daily digest, Friday, 4 December 2026: 3 papers", DigestRenderer.Render(Sample).Subject);
        var weekly = Sample with { Frequency = "weekly", PeriodLabel = "week 2026-W49", Sections = [Sample.Sections[1]] };
        Assert.Equal("Paperboy weekly digest, week 2026-W49: 1 paper", DigestRenderer.Render(weekly).Subject);
    }

    [Fact]
    public void The_html_is_escaped_inline_styled_table_layout_with_only_the_given_links()
    {
        var html = DigestRenderer.Render(Sample).Html;

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(WebUtility.HtmlEncode(Evil), html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;markup&lt;/b&gt; &amp; ampersands", html, StringComparison.Ordinal);

        var allowed = Urls(Sample).Select(WebUtility.HtmlEncode).ToHashSet();
        var hrefs = Regex.Matches(html, "<a href=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(Regex.Count(html, @"\bhref="), hrefs.Count);
        Assert.All(hrefs, h => Assert.Contains(h, allowed));
        Assert.Contains(WebUtility.HtmlEncode(Links.Manage), hrefs);
        Assert.Contains(WebUtility.HtmlEncode(Links.Unsubscribe), hrefs);
        Assert.Contains("?user=42&amp;token=abc&amp;list=digest", html, StringComparison.Ordinal);
        Assert.Contains(">Manage your subscription</a>", html, StringComparison.Ordinal);
        Assert.Contains(">Unsubscribe</a>", html, StringComparison.Ordinal);

        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("display:flex", html, StringComparison.Ordinal);
        Assert.DoesNotContain("display:grid", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"color-scheme\" content=\"light dark\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"supported-color-schemes\" content=\"light dark\">", html, StringComparison.Ordinal);
        Assert.Contains("@media (prefers-color-scheme: dark)", html, StringComparison.Ordinal);
        Assert.Contains("max-width:600px", html, StringComparison.Ordinal);

        var body = html[html.IndexOf("<body", StringComparison.Ordinal)..];
        Assert.True(Regex.Count(body, "<table role=\"presentation\"") >= 2);
        Assert.DoesNotContain("<table>", body, StringComparison.Ordinal);
        Assert.Contains("+2 more", body, StringComparison.Ordinal);
        Assert.Contains("7 upvotes in the last day", body, StringComparison.Ordinal);
        Assert.Contains("class=\"pb-del\"", body, StringComparison.Ordinal);
        Assert.Contains("class=\"pb-ins\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Donald Knuth", body, StringComparison.Ordinal);

        // The preheader: hidden, the first titles.
        Assert.Matches("<div style=\"display:none;[^\"]*\">Scaling Laws", body);

        // The summary is clipped to 400 characters even though the caller sent more.
        var summary = Regex.Match(body, "We study how[^<]*").Value;
        Assert.InRange(WebUtility.HtmlDecode(summary).Length, 300, 400);
        Assert.EndsWith("…", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_has_the_same_content_plainly_wrapped_at_72_columns()
    {
        var text = DigestRenderer.Render(Sample).Text;
        var lines = text.Split('\n');
        var urls = Urls(Sample).ToList();

        Assert.All(urls, u => Assert.Contains(u, lines));
        Assert.Contains(Evil, text, StringComparison.Ordinal);
        Assert.DoesNotContain("&amp;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("&lt;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("&quot;", text, StringComparison.Ordinal);
        Assert.All(lines.Where(l => !l.StartsWith("https://", StringComparison.Ordinal)), l => Assert.True(l.Length <= 72, $"{l.Length}: {l}"));

        Assert.Contains("Trending on the Daily\n---------------------\n", text, StringComparison.Ordinal);
        Assert.Contains("Papers you follow\n-----------------\n", text, StringComparison.Ordinal);
        Assert.StartsWith("Paperboy daily digest\n=====================\n", text, StringComparison.Ordinal);
        Assert.Contains("by Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra, Barbara Liskov", text.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("+2 more", text, StringComparison.Ordinal);
        Assert.Contains("(New version v3)", lines);
        Assert.Contains("- We show that diffusion models cannot add.", lines);
        Assert.Contains(lines, l => l.StartsWith("+ We show that diffusion models can add,", StringComparison.Ordinal));
        Assert.Contains("  unchanged context", lines);
        Assert.Contains("Manage your subscription:", lines);
        Assert.Contains("Unsubscribe:", lines);
        Assert.Contains("https://github.com/example/a-repository-with-a-rather-long-name/tree/main/experiments/configs.", lines);
    }

    [Fact]
    public async Task In_chromium_the_html_fits_a_phone_and_follows_the_dark_scheme()
    {
        var html = DigestRenderer.Render(Sample).Html;
        var shots = Environment.GetEnvironmentVariable("PAPERBOY_SCREENSHOTS") is { Length: > 0 } s ? s : null;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LiveSite.LaunchChromiumAsync(playwright);

        var colours = new Dictionary<(int, ColorScheme), string>();
        foreach (var width in new[] { 390, 1280 })
        {
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                var page = await browser.NewPageAsync(new() { ColorScheme = scheme, ViewportSize = new() { Width = width, Height = 800 } });
                await page.SetContentAsync(html);
                if (width == 390)
                    Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
                        $"horizontal scroll at 390 px ({scheme})");
                colours[(width, scheme)] = await page.EvaluateAsync<string>("getComputedStyle(document.body).color");
                if (shots is not null)
                {
                    Directory.CreateDirectory(shots);
                    var name = scheme == ColorScheme.Dark ? "dark" : "light";
                    await page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"digest-{width}-{name}.png"), FullPage = true });
                }
                await page.CloseAsync();
            }
            Assert.NotEqual(colours[(width, ColorScheme.Light)], colours[(width, ColorScheme.Dark)]);
        }
    }
}
