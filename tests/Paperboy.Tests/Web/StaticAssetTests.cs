using System.Net;
using System.Text.RegularExpressions;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Web;

/// <summary>KaTeX and math.js come from the executable itself, under /static/, never from a CDN.</summary>
public sealed partial class StaticAssetTests
{
    [GeneratedRegex("""<link rel="stylesheet" href="(/static/katex/katex\.min\.css\?v=[0-9a-f]{16})">""")]
    private static partial Regex KatexCss();

    [GeneratedRegex("""<script src="(/static/[^"]+)" defer></script>""")]
    private static partial Regex DeferredScript();

    [GeneratedRegex("""<script(?![^>]*\ssrc=)[^>]*>""")]
    private static partial Regex InlineScript();

    [Fact]
    public async Task The_pages_link_katex_and_math_js_and_each_is_served_with_its_type()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await using var app = new PaperboyFactory(db);
        using var http = app.CreateClient();

        async Task<(HttpStatusCode Status, string? Type, byte[] Body)> Get(string url)
        {
            using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
            return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsByteArrayAsync());
        }

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        var css = KatexCss().Match(page);
        Assert.True(css.Success, "the layout links katex.min.css");
        Assert.Equal(["/static/katex/katex.min.js", "/static/math.js", "/static/site.js"], DeferredScript().Matches(page).Select(m => m.Groups[1].Value.Split('?')[0]));
        Assert.DoesNotMatch(InlineScript(), page); // the policy (script-src 'self') would block one

        var (status, type, body) = await Get(css.Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/css; charset=utf-8", type);
        Assert.Contains("url(fonts/KaTeX_Main-Regular.woff2)", System.Text.Encoding.UTF8.GetString(body), StringComparison.Ordinal);

        (status, type, body) = await Get("/static/katex/fonts/KaTeX_Main-Regular.woff2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("font/woff2", type);
        Assert.Equal("wOF2"u8.ToArray(), body[..4]);

        (status, type, body) = await Get("/static/katex/LICENSE");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/plain; charset=utf-8", type);
        Assert.Contains("The MIT License", System.Text.Encoding.UTF8.GetString(body), StringComparison.Ordinal);

        foreach (var script in DeferredScript().Matches(page).Select(m => m.Groups[1].Value))
        {
            (status, type, _) = await Get(script);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("text/javascript; charset=utf-8", type);
        }
    }

    [Theory]
    [InlineData("/static/../paperboy.db")]
    [InlineData("/static/%2E%2E/paperboy.db")]
    [InlineData("/static/katex/%2E%2E/%2E%2E/paperboy.db")]
    [InlineData("/static/nope.js")]
    [InlineData("/static/katex/fonts/KaTeX_Main-Regular.ttf")]
    [InlineData("/static/katex/")]
    public async Task Anything_outside_the_embedded_set_is_not_found(string url)
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await using var app = new PaperboyFactory(db);
        using var http = app.CreateClient();
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
