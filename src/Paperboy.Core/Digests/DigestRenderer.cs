using System.Globalization;
using System.Net;
using System.Text;
using Paperboy.Core.Mail;

namespace Paperboy.Core.Digests;

/// <summary>
/// Renders a <see cref="Digest"/> as an email: a one-line subject, HTML built for mail clients (nested presentation
/// tables, inline light styles, a small dark-mode style block, no scripts, images or external CSS) and a plain-text
/// alternative wrapped at 72 columns with the same content.
/// </summary>
public static class DigestRenderer
{
    public const int TextWidth = 72;
    public const int SummaryLimit = 400;
    public const int AuthorLimit = 5;

    public static RenderedDigest Render(Digest digest, EntryFragments? fragments = null)
    {
        ArgumentNullException.ThrowIfNull(digest);
        fragments ??= new EntryFragments();
        return new RenderedDigest(Subject(digest), Html.Render(digest, fragments), Text.Render(digest, fragments));
    }

    /// <summary>
    /// A body being written: text of this digest's own gathers into one piece; a shared string (a rendered entry,
    /// fixed markup) is a piece of its own, the same instance in every digest of the run.
    /// </summary>
    private sealed class Pieces
    {
        private readonly List<BodyPiece> _pieces = [];
        private readonly StringBuilder _own = new(1024);

        public StringBuilder Own => _own;

        public void Shared(string text)
        {
            Flush();
            _pieces.Add(new BodyPiece(text, Shared: true));
        }

        public IReadOnlyList<BodyPiece> Done()
        {
            Flush();
            return _pieces;
        }

        private void Flush()
        {
            if (_own.Length > 0)
                _pieces.Add(new BodyPiece(_own.ToString()));
            _own.Clear();
        }
    }

    /// <summary>
    /// Rendered entries, kept for a digest run: the same paper (with the same note) is in many subscribers' digests,
    /// and its HTML and text are made once. Safe for concurrent use.
    /// </summary>
    public sealed class EntryFragments
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Html, string Text)> _made = new(StringComparer.Ordinal);

        /// <summary>The entry's HTML (a table row) and its text lines, each ending with a line end.</summary>
        internal (string Html, string Text) Get(DigestEntry e) =>
            _made.GetOrAdd(string.Concat(e.Url, "\n", e.Note, "\n", e.Diff), _ => (Html.Entry(e), Text.Entry(e) + "\n"));
    }

    /// <summary>"Paperboy daily digest, Friday, 4 December 2026: 12 papers".</summary>
    public static string Subject(Digest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return OneLine($"Paperboy {OneLine(digest.Frequency).ToLowerInvariant()} digest, {OneLine(digest.PeriodLabel)}: {Papers(digest.EntryCount)}");
    }

    private static string Papers(int count) => count == 1 ? "1 paper" : $"{count.ToString(CultureInfo.InvariantCulture)} papers";

    /// <summary>"A, B, C, D, E +3 more".</summary>
    private static string Authors(IReadOnlyList<string> authors)
    {
        var shown = string.Join(", ", authors.Take(AuthorLimit).Select(OneLine));
        return authors.Count > AuthorLimit ? $"{shown} +{authors.Count - AuthorLimit} more" : shown;
    }

    /// <summary>Whitespace (line breaks included) collapsed to single spaces; control characters dropped.</summary>
    private static string OneLine(string? s)
    {
        if (string.IsNullOrEmpty(s))
            return "";
        var sb = new StringBuilder(s.Length);
        var space = false;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
                space = sb.Length > 0;
            else if (!char.IsControl(c))
            {
                if (space)
                    sb.Append(' ');
                sb.Append(c);
                space = false;
            }
        }
        return sb.ToString();
    }

    /// <summary>At most <paramref name="limit"/> characters, cut at a word where one is near, ending in "…".</summary>
    private static string Clip(string s, int limit)
    {
        if (s.Length <= limit)
            return s;
        var cut = limit - 1;
        if (char.IsLowSurrogate(s[cut]))
            cut--;
        var space = s.LastIndexOf(' ', cut);
        if (space > limit * 3 / 4)
            cut = space;
        return s[..cut].TrimEnd() + "…";
    }

    private static string Summary(DigestEntry e) => Clip(OneLine(e.Summary), SummaryLimit);

    private static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static IEnumerable<string> DiffLines(string? diff) =>
        string.IsNullOrWhiteSpace(diff)
            ? []
            : diff.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0);

    /// <summary>Only absolute http(s) links are linked; anything else is shown, not followed.</summary>
    private static bool IsWebUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp);

    private static class Html
    {
        private const string Font = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
        private const string Mono = "ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace";

        // Light defaults, inline. Mid-dark text on white and mid-tone accents also survive a forced inversion.
        private const string PageBg = "#f3f4f6";
        private const string CardBg = "#ffffff";
        private const string Ink = "#1f2328";
        private const string Muted = "#5b6470";
        private const string Link = "#0b57d0";
        private const string Rule = "#e3e6ea";
        private const string CodeBg = "#f6f8fa";
        private const string DelInk = "#a4161a";
        private const string DelBg = "#fde8e8";
        private const string InsInk = "#116329";
        private const string InsBg = "#e3f5e8";

        // Clients that honour prefers-color-scheme (Apple Mail, iOS Mail, some others) get these; [data-ogsc] is
        // Outlook.com's dark mode, which keeps the style block but not the media query.
        private const string DarkRules = """
            .pb-page{background-color:#111418 !important;}
            .pb-card{background-color:#1b1f24 !important;}
            .pb-ink{color:#e6e8eb !important;}
            .pb-muted{color:#a3acb7 !important;}
            .pb-link{color:#8ab4f8 !important;}
            .pb-rule{border-color:#2d333b !important;}
            .pb-code{background-color:#15191e !important;}
            .pb-del{color:#ffb3ad !important;background-color:#3d1c1c !important;}
            .pb-ins{color:#94e2a8 !important;background-color:#14321f !important;}
            """;

        private static readonly string OutlookDarkRules = string.Concat(DarkRules.Split('\n').Select(r => "[data-ogsc] " + r + "\n"));

        // The head around the title, the same in every digest.
        private const string HeadStart = "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
            + "<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n"
            + "<meta name=\"x-apple-disable-message-reformatting\">\n"
            + "<meta name=\"color-scheme\" content=\"light dark\">\n"
            + "<meta name=\"supported-color-schemes\" content=\"light dark\">\n";

        private static readonly string HeadEnd = "<style>\n"
            + ":root{color-scheme:light dark;supported-color-schemes:light dark;}\n"
            + "body{margin:0;padding:0;width:100% !important;-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%;}\n"
            + "table{border-collapse:collapse;}\n"
            + "a{text-decoration:none;}\n"
            + "@media (prefers-color-scheme: dark){\n" + DarkRules + "}\n"
            + OutlookDarkRules
            + "</style>\n</head>\n"
            + $"<body class=\"pb-page pb-ink\" style=\"margin:0;padding:0;width:100%;background-color:{PageBg};color:{Ink};font-family:{Font};\">\n";

        private const string CardStart = $"<table role=\"presentation\" class=\"pb-page\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;background-color:{PageBg};\">\n<tr><td align=\"center\" style=\"padding:16px 8px;\">\n"
            + "<!--[if mso]><table role=\"presentation\" width=\"600\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td><![endif]-->\n"
            + $"<table role=\"presentation\" class=\"pb-card\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;max-width:600px;margin:0 auto;background-color:{CardBg};border-radius:8px;\">\n";

        private const string CardEnd = "</table>\n<!--[if mso]></td></tr></table><![endif]-->\n</td></tr>\n</table>\n</body>\n</html>\n";

        public static IReadOnlyList<BodyPiece> Render(Digest d, EntryFragments fragments)
        {
            var subject = Subject(d);
            var pieces = new Pieces();
            pieces.Shared(HeadStart);
            pieces.Own.Append("<title>").Append(E(subject)).Append("</title>\n");
            pieces.Shared(HeadEnd);
            Preheader(pieces.Own, d);
            pieces.Shared(CardStart);

            Header(pieces.Own, d);
            foreach (var section in d.Sections.Where(s => s.Entries.Count > 0))
                Section(pieces, section, fragments);
            Footer(pieces.Own, d);

            pieces.Shared(CardEnd);
            return pieces.Done();
        }

        private static readonly string PreheaderPadding = string.Concat(Enumerable.Repeat("&#8199;&#847;", 40));

        /// <summary>The line inbox lists show after the subject: the first titles, then padding so no body text follows.</summary>
        private static void Preheader(StringBuilder sb, Digest d)
        {
            var titles = Clip(string.Join(" · ", d.Sections.SelectMany(s => s.Entries).Take(3).Select(e => OneLine(e.Title))), 140);
            sb.Append("<div style=\"display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;\">")
              .Append(E(titles))
              .Append(PreheaderPadding)
              .Append("</div>\n");
        }

        private static void Header(StringBuilder sb, Digest d)
        {
            var line = $"{Capitalised(OneLine(d.Frequency).ToLowerInvariant())} digest · {OneLine(d.PeriodLabel)} · {Papers(d.EntryCount)}";
            sb.Append($"<tr><td class=\"pb-rule\" style=\"padding:20px 20px 14px 20px;border-bottom:1px solid {Rule};font-family:{Font};\">")
              .Append($"<div style=\"font-size:22px;line-height:28px;font-weight:700;\">{A(d.Links.Site, "Paperboy", $"color:{Ink};text-decoration:none;", "pb-ink")}</div>")
              .Append($"<div class=\"pb-muted\" style=\"font-size:14px;line-height:20px;color:{Muted};\">{E(line)}</div>")
              .Append("</td></tr>\n");
        }

        private static void Section(Pieces pieces, DigestSection s, EntryFragments fragments)
        {
            pieces.Own.Append($"<tr><td style=\"padding:18px 20px 4px 20px;font-family:{Font};\">")
              .Append($"<h2 class=\"pb-ink\" style=\"margin:0;font-size:17px;line-height:24px;font-weight:700;color:{Ink};\">{E(OneLine(s.Title))}</h2>")
              .Append("</td></tr>\n");
            foreach (var e in s.Entries)
                pieces.Shared(fragments.Get(e).Html);
        }

        public static string Entry(DigestEntry e)
        {
            var sb = new StringBuilder(1024);
            sb.Append($"<tr><td class=\"pb-ink\" style=\"padding:10px 20px 12px 20px;font-family:{Font};color:{Ink};word-break:break-word;overflow-wrap:anywhere;\">");
            sb.Append("<div style=\"font-size:16px;line-height:22px;font-weight:600;\">")
              .Append(A(e.Url, OneLine(e.Title), $"color:{Link};text-decoration:none;", "pb-link"))
              .Append("</div>");
            var authors = Authors(e.Authors);
            if (authors.Length > 0)
                sb.Append($"<div style=\"font-size:14px;line-height:20px;margin-top:2px;\">{E(authors)}</div>");
            if (!string.IsNullOrWhiteSpace(e.Note))
                sb.Append($"<div class=\"pb-muted\" style=\"font-size:13px;line-height:18px;margin-top:4px;color:{Muted};font-style:italic;\">{E(OneLine(e.Note))}</div>");
            var summary = Summary(e);
            if (summary.Length > 0)
                sb.Append($"<div style=\"font-size:14px;line-height:21px;margin-top:6px;\">{E(summary)}</div>");
            Diff(sb, e.Diff);
            if (e.Categories.Count > 0)
                sb.Append($"<div class=\"pb-muted\" style=\"font-size:12px;line-height:16px;margin-top:6px;color:{Muted};\">{E(string.Join(" · ", e.Categories.Select(OneLine)))}</div>");
            return sb.Append("</td></tr>\n").ToString();
        }

        private static void Diff(StringBuilder sb, string? diff)
        {
            var lines = DiffLines(diff).ToList();
            if (lines.Count == 0)
                return;
            sb.Append($"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;margin-top:8px;\"><tr><td class=\"pb-code\" style=\"padding:8px 10px;background-color:{CodeBg};border-radius:4px;font-family:{Mono};font-size:12px;line-height:18px;\">");
            foreach (var line in lines)
            {
                var (cls, style) = line.StartsWith("- ", StringComparison.Ordinal) || line == "-"
                    ? ("pb-del", $"color:{DelInk};background-color:{DelBg};")
                    : line.StartsWith("+ ", StringComparison.Ordinal) || line == "+"
                        ? ("pb-ins", $"color:{InsInk};background-color:{InsBg};")
                        : ("pb-ink", $"color:{Ink};");
                sb.Append($"<div class=\"{cls}\" style=\"{style}white-space:pre-wrap;word-break:break-word;overflow-wrap:anywhere;padding:0 4px;\">{E(line)}</div>");
            }
            sb.Append("</td></tr></table>");
        }

        private static void Footer(StringBuilder sb, Digest d)
        {
            const string LinkStyle = $"color:{Link};text-decoration:underline;";
            sb.Append($"<tr><td class=\"pb-rule pb-muted\" style=\"padding:16px 20px 20px 20px;border-top:1px solid {Rule};font-family:{Font};font-size:13px;line-height:20px;color:{Muted};\">")
              .Append($"<div>You get this {E(OneLine(d.Frequency).ToLowerInvariant())} digest from {A(d.Links.Site, "Paperboy", LinkStyle, "pb-link")}.</div>")
              .Append($"<div style=\"margin-top:6px;\">{A(d.Links.Manage, "Manage your subscription", LinkStyle, "pb-link")} &nbsp;·&nbsp; {A(d.Links.Unsubscribe, "Unsubscribe", LinkStyle, "pb-link")}</div>")
              .Append("</td></tr>\n");
        }

        /// <summary>A link, or the bare text when the URL is not an absolute http(s) one.</summary>
        private static string A(string url, string text, string style, string cls) =>
            IsWebUrl(url)
                ? $"<a href=\"{E(url)}\" class=\"{cls}\" style=\"{style}\" target=\"_blank\">{E(text)}</a>"
                : E(text);

        private static string E(string s) => WebUtility.HtmlEncode(s);
    }

    private static class Text
    {
        public static IReadOnlyList<BodyPiece> Render(Digest d, EntryFragments fragments)
        {
            // Every line ends with a line end; an entry's lines are a shared piece.
            var pieces = new Pieces();
            var lines = new List<string>();
            void Lines()
            {
                foreach (var line in lines)
                    pieces.Own.Append(line).Append('\n');
                lines.Clear();
            }
            Heading(lines, $"Paperboy {OneLine(d.Frequency).ToLowerInvariant()} digest", '=');
            lines.AddRange(Wrap($"{OneLine(d.PeriodLabel)}: {Papers(d.EntryCount)}"));

            foreach (var section in d.Sections.Where(s => s.Entries.Count > 0))
            {
                lines.Add("");
                lines.Add("");
                Heading(lines, OneLine(section.Title), '-');
                foreach (var e in section.Entries)
                {
                    lines.Add("");
                    Lines();
                    pieces.Shared(fragments.Get(e).Text);
                }
            }

            lines.Add("");
            lines.Add("");
            lines.Add("-- ");
            lines.Add("Paperboy:");
            lines.Add(d.Links.Site);
            lines.Add("Manage your subscription:");
            lines.Add(d.Links.Manage);
            lines.Add("Unsubscribe:");
            lines.Add(d.Links.Unsubscribe);
            Lines();
            return pieces.Done();
        }

        private static void Heading(List<string> lines, string title, char underline)
        {
            var wrapped = Wrap(title).ToList();
            lines.AddRange(wrapped);
            lines.Add(new string(underline, Math.Max(1, wrapped.Max(l => l.Length))));
        }

        public static string Entry(DigestEntry e)
        {
            var lines = new List<string>();
            lines.AddRange(Wrap(OneLine(e.Title)));
            var authors = Authors(e.Authors);
            if (authors.Length > 0)
                lines.AddRange(Wrap("by " + authors));
            if (!string.IsNullOrWhiteSpace(e.Note))
                lines.AddRange(Wrap("(" + OneLine(e.Note) + ")"));
            var summary = Summary(e);
            if (summary.Length > 0)
                lines.AddRange(Wrap(summary));
            foreach (var line in DiffLines(e.Diff))
                lines.AddRange(Wrap(line, hanging: "  ", keepLeadingSpace: true));
            if (e.Categories.Count > 0)
                lines.AddRange(Wrap(string.Join(", ", e.Categories.Select(OneLine))));
            lines.Add(e.Url);
            return string.Join("\n", lines);
        }

        /// <summary>
        /// Greedy word wrap at <see cref="TextWidth"/>; continuation lines start with <paramref name="hanging"/>.
        /// A URL longer than a line gets a line to itself; any other over-long word is broken.
        /// </summary>
        private static IEnumerable<string> Wrap(string text, string hanging = "", bool keepLeadingSpace = false)
        {
            if (text.Length <= TextWidth)
            {
                yield return text;
                yield break;
            }
            var started = false;
            var words = (keepLeadingSpace ? text : OneLine(text)).Split(' ');
            var line = new StringBuilder();
            foreach (var raw in words)
            {
                var word = raw;
                var sep = line.Length == 0 ? (started ? hanging : "") : " ";
                if (line.Length + sep.Length + word.Length <= TextWidth)
                {
                    line.Append(sep).Append(word);
                    continue;
                }
                if (IsWebUrl(word) || hanging.Length + word.Length <= TextWidth)
                {
                    // Flush, then the word starts the next line; a URL longer than a line gets one to itself.
                    if (line.Length > 0)
                        yield return line.ToString();
                    line.Clear();
                    started = true;
                    if (hanging.Length + word.Length <= TextWidth)
                        line.Append(hanging).Append(word);
                    else
                        yield return word;
                    continue;
                }
                // A word longer than any line: broken, filling the current line first (if it has room).
                if (line.Length + sep.Length > TextWidth - 8)
                {
                    if (line.Length > 0)
                        yield return line.ToString();
                    line.Clear();
                    sep = hanging;
                    started = true;
                }
                line.Append(sep);
                while (line.Length + word.Length > TextWidth)
                {
                    var take = TextWidth - line.Length;
                    if (take > 1 && char.IsHighSurrogate(word[take - 1]))
                        take--;
                    yield return line.Append(word[..take]).ToString();
                    line.Clear().Append(hanging);
                    started = true;
                    word = word[take..];
                }
                line.Append(word);
            }
            if (line.Length > 0)
                yield return line.ToString();
        }
    }
}
