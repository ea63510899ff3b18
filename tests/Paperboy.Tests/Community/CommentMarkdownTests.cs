using System.Text.RegularExpressions;
using Paperboy.Core.Community;

namespace Paperboy.Tests.Community;

/// <summary>What a stranger's comment may and may not become on our pages.</summary>
public sealed partial class CommentMarkdownTests
{
    [GeneratedRegex("""href\s*=\s*"([^"]*)"|href\s*=\s*'([^']*)'|href\s*=\s*([^\s>]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Href();

    private static string[] Hrefs(string html) =>
        [.. Href().Matches(html).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value)];

    [Fact]
    public void Raw_html_is_escaped_text_never_a_tag()
    {
        var html = CommentMarkdown.ToHtml("<script>alert(1)</script>");
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);

        var inline = CommentMarkdown.ToHtml("hello <img src=x onerror=alert(1)> there");
        Assert.DoesNotContain("<img", inline, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](JaVaScRiPt:alert(1))")]
    [InlineData("[x]( javascript:alert(1))")]
    [InlineData("[x](<\u0001 javascript:alert(1)>)")]
    [InlineData("[x](<java\tscript:alert(1)>)")]
    [InlineData("[x](java&#9;script:alert(1))")]
    [InlineData("[x](javascript&#58;alert(1))")]
    [InlineData("[x][r]\n\n[r]: javascript:alert(1)")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("[x](vbscript:msgbox(1))")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    [InlineData("[x](ftp://example.com/file)")]
    public void A_link_to_another_scheme_is_plain_text_without_an_href(string markdown)
    {
        var html = CommentMarkdown.ToHtml(markdown);
        Assert.Empty(Hrefs(html));
        Assert.DoesNotContain("<a", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_of_a_refused_link_stays()
    {
        Assert.Equal("<p>see <em>this</em> now</p>\n", CommentMarkdown.ToHtml("see [*this*](javascript:alert(1)) now"));
    }

    [Theory]
    [InlineData("[x](http://example.com/a)", "http://example.com/a")]
    [InlineData("[x](HTTPS://example.com/a)", "HTTPS://example.com/a")]
    [InlineData("[x](mailto:someone@example.com)", "mailto:someone@example.com")]
    [InlineData("[x](/papers/2501.00001)", "/papers/2501.00001")]
    [InlineData("[x](#comment-3)", "#comment-3")]
    [InlineData("[x](/wiki/Help:Contents)", "/wiki/Help:Contents")]
    public void Http_https_mailto_and_relative_links_keep_their_href_and_are_marked_nofollow(string markdown, string href)
    {
        var html = CommentMarkdown.ToHtml(markdown);
        Assert.Equal([href], Hrefs(html));
        Assert.Contains("rel=\"nofollow ugc noopener\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_is_written_with_the_rel()
    {
        Assert.Equal("<p><a href=\"http://example.com/\" rel=\"nofollow ugc noopener\">x</a></p>\n", CommentMarkdown.ToHtml("[x](http://example.com/)"));
    }

    [Theory]
    [InlineData("see https://example.com/paper for more", "https://example.com/paper")]
    [InlineData("see <https://example.com/paper> for more", "https://example.com/paper")]
    [InlineData("write to <someone@example.com>", "mailto:someone@example.com")]
    public void Autolinks_get_the_rel_too(string markdown, string href)
    {
        var html = CommentMarkdown.ToHtml(markdown);
        Assert.Equal([href], Hrefs(html));
        Assert.Matches($"<a href=\"{Regex.Escape(href)}\"[^>]* rel=\"nofollow ugc noopener\"", html);
    }

    [Fact]
    public void An_image_is_a_link_to_it_with_its_alt_text_never_an_img()
    {
        var html = CommentMarkdown.ToHtml("![a huge picture](http://x/huge.png)");
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("<p><a href=\"http://x/huge.png\" rel=\"nofollow ugc noopener\">a huge picture</a></p>\n", html);

        // Inside a link it would be a link in a link: its alt text stays, the outer link leads.
        var nested = CommentMarkdown.ToHtml("[![badge](http://x/b.svg)](https://example.com/)");
        Assert.DoesNotContain("<img", nested, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["https://example.com/"], Hrefs(nested));
        Assert.Contains(">badge</a>", nested, StringComparison.Ordinal);
    }

    [Fact]
    public void Math_is_left_for_katex_untouched_by_emphasis()
    {
        Assert.Equal("<p>so <span class=\"math\">\\(E=mc^2\\)</span> holds</p>\n", CommentMarkdown.ToHtml("so $E=mc^2$ holds"));

        var sub = CommentMarkdown.ToHtml("$a_b_c$ and $x*y*z$");
        Assert.Contains("\\(a_b_c\\)", sub, StringComparison.Ordinal);
        Assert.Contains("\\(x*y*z\\)", sub, StringComparison.Ordinal);
        Assert.DoesNotContain("<em>", sub, StringComparison.Ordinal);

        var display = CommentMarkdown.ToHtml("$$\n\\sum_i a_i\n$$");
        Assert.Matches(@"^<div class=""math"">\s*\\\[\s*\\sum_i a_i\s*\\\]\s*</div>", display);
    }

    [Theory]
    [InlineData("# Big", "h4")]
    [InlineData("Big\n===", "h4")]
    [InlineData("## Big", "h5")]
    [InlineData("### Big", "h6")]
    [InlineData("###### Big", "h6")]
    public void Headings_are_demoted_so_a_comment_cannot_shout(string markdown, string tag)
    {
        Assert.Equal($"<{tag}>Big</{tag}>\n", CommentMarkdown.ToHtml(markdown));
    }

    [Fact]
    public void Ordinary_markdown_works()
    {
        Assert.Equal("<p><strong>bold</strong> and <em>it</em> and <del>gone</del></p>\n", CommentMarkdown.ToHtml("**bold** and *it* and ~~gone~~"));
        var table = CommentMarkdown.ToHtml("| a | b |\n|---|---|\n| 1 | 2 |");
        Assert.Contains("<table>", table, StringComparison.Ordinal);
        Assert.Contains("<td>2</td>", table, StringComparison.Ordinal);
        Assert.Contains("type=\"checkbox\"", CommentMarkdown.ToHtml("- [x] done"), StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_text_has_the_words_without_markup()
    {
        var text = CommentMarkdown.ToPlainText("**bold** [link](http://example.com) <b>x</b>");
        Assert.DoesNotContain("**", text, StringComparison.Ordinal);
        Assert.DoesNotContain("http://example.com", text, StringComparison.Ordinal);
        Assert.Contains("bold", text, StringComparison.Ordinal);
        Assert.Contains("link", text, StringComparison.Ordinal);
    }
}
