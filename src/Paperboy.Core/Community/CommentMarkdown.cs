using Markdig;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Paperboy.Core.Community;

/// <summary>
/// Readers' comments are Markdown: CommonMark with tables, task lists, bare-URL links and <c>$...$</c> math (typeset in
/// the browser by KaTeX, see Web/Static/math.js). What a stranger may not do is made impossible on the parsed tree,
/// before anything is written: no raw HTML, no images (an image becomes a link to it), no link to a scheme other than
/// http, https or mailto, no heading larger than h4, and every link marked <c>rel="nofollow ugc noopener"</c>.
/// </summary>
public static class CommentMarkdown
{
    public const string LinkRel = "nofollow ugc noopener";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UsePipeTables()
        .UseTaskLists()
        .UseMathematics()
        .Build();

    /// <summary>What a browser strips from the front of a URL: C0 controls and the space.</summary>
    private static readonly char[] ControlOrSpace = [.. Enumerable.Range(0, 0x21).Select(i => (char)i)];

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        Tame(document);
        return document.ToHtml(Pipeline);
    }

    /// <summary>The words alone, for notifications and feeds.</summary>
    public static string ToPlainText(string markdown) => Markdown.ToPlainText(markdown, Pipeline);

    private static void Tame(MarkdownDocument document)
    {
        foreach (var heading in document.Descendants<HeadingBlock>())
            heading.Level = heading.Level switch { 1 => 4, 2 => 5, _ => 6 };

        // Collected first: the loop below takes links out of the tree.
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            // An image inside a link would become a link inside a link; its alt text is enough there.
            var nested = link.IsImage && HasLinkAncestor(link);
            link.IsImage = false;
            if (nested || !IsSafeUrl(link.Url))
            {
                Unwrap(link);
                continue;
            }
            if (link.FirstChild is null)
                link.AppendChild(new LiteralInline(link.Url ?? ""));
            link.GetAttributes().AddPropertyIfNotExist("rel", LinkRel);
        }

        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (autolink.IsEmail || IsSafeUrl(autolink.Url))
                autolink.GetAttributes().AddPropertyIfNotExist("rel", LinkRel);
            else
                autolink.ReplaceBy(new LiteralInline(autolink.Url));
        }
    }

    private static bool HasLinkAncestor(Inline inline)
    {
        for (var p = inline.Parent; p is not null; p = p.Parent)
        {
            if (p is LinkInline)
                return true;
        }
        return false;
    }

    /// <summary>The link's text stays where the link was, as text.</summary>
    private static void Unwrap(LinkInline link)
    {
        if (link.FirstChild is null)
            link.InsertAfter(new LiteralInline(link.Url ?? ""));
        else
            link.MoveChildrenAfter(link);
        link.Remove();
    }

    /// <summary>
    /// http, https, mailto, or a URL with no scheme (relative, fragment). Read as a browser reads it: leading
    /// control characters and spaces are dropped and tabs and newlines inside are ignored, so <c> java&#9;script:</c>
    /// is still javascript. Anything else that looks like a scheme (a colon before the first / ? #) is refused.
    /// </summary>
    internal static bool IsSafeUrl(string? url)
    {
        if (url is null)
            return false;
        var cleaned = url.TrimStart(ControlOrSpace).Replace("\t", "", StringComparison.Ordinal)
            .Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal);
        var colon = cleaned.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
            return true;
        var end = cleaned.AsSpan(0, colon).IndexOfAny('/', '?', '#');
        if (end >= 0)
            return true; // the colon is in the path, query or fragment: a relative URL
        var scheme = cleaned[..colon];
        return scheme.Equals("http", StringComparison.OrdinalIgnoreCase)
            || scheme.Equals("https", StringComparison.OrdinalIgnoreCase)
            || scheme.Equals("mailto", StringComparison.OrdinalIgnoreCase);
    }
}
