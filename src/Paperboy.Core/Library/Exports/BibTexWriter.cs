using System.Globalization;
using System.Text;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Library.Exports;

/// <summary>
/// BibTeX entries as arXiv writes them (<c>@misc</c> with eprint, archivePrefix, primaryClass, url; <c>@article</c>
/// with the journal when arXiv knows where it appeared), plus doi, abstract, the member's tags as keywords and a
/// collection's note as annote. Text is UTF-8 (biber and BibTeX 0.99d read it); see <see cref="BibTexText"/> for
/// what is escaped.
/// </summary>
public static class BibTexWriter
{
    public static string Write(IReadOnlyList<CitationItem> items, IReadOnlyList<string> keys)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
                sb.Append('\n');
            Entry(sb, items[i], keys[i]);
        }
        return sb.ToString();
    }

    private static void Entry(StringBuilder sb, CitationItem item, string key)
    {
        var p = item.Paper;
        var fields = new List<(string Name, string Value)>
        {
            ("title", BibTexText.Title(p.Title)),
        };
        if (p.Authors.Count > 0)
            fields.Add(("author", string.Join(" and ", p.Authors.Select(BibTexText.Author))));
        if (Citations.Year(p) is { } year)
            fields.Add(("year", year.ToString(CultureInfo.InvariantCulture)));
        if (p.JournalRef is { Length: > 0 } journal)
            fields.Add(("journal", BibTexText.Escape(journal)));
        if (!p.IsLocal)
        {
            fields.Add(("eprint", p.Id));
            fields.Add(("archivePrefix", "arXiv"));
            if (p.PrimaryCategory is { } primary && Categories.IsArxiv(primary))
                fields.Add(("primaryClass", primary));
        }
        if (p.Doi is { Length: > 0 } doi)
            fields.Add(("doi", BibTexText.Verbatim(doi)));
        if (p.AbsUrl is { } url)
            fields.Add(("url", url));
        if (item.Tags is { Count: > 0 } tags)
            fields.Add(("keywords", BibTexText.Escape(string.Join(", ", tags))));
        if (item.Note is { Length: > 0 } note)
            fields.Add(("annote", BibTexText.Escape(note)));
        if (p.Abstract.Length > 0)
            fields.Add(("abstract", BibTexText.Escape(p.Abstract)));

        sb.Append('@').Append(p.JournalRef is { Length: > 0 } ? "article" : "misc").Append('{').Append(key);
        var width = fields.Max(f => f.Name.Length);
        foreach (var (name, value) in fields)
            sb.Append(",\n  ").Append(name.PadRight(width)).Append(" = {").Append(value).Append('}');
        sb.Append("\n}\n");
    }
}

/// <summary>
/// Field values for BibTeX. arXiv's titles and abstracts are LaTeX source: math (<c>$…$</c>) and commands
/// (<c>\"o</c>, <c>\emph{…}</c>, <c>\&amp;</c>) are kept as written; only what LaTeX would stumble on is escaped: bare
/// <c>&amp; % # _</c> outside math (and <c>&amp; % #</c> inside), <c>^</c> outside math, a <c>$</c> that opens no
/// math. Braces must balance for BibTeX, which counts every brace, escaped or not: an unmatched one is written as
/// <c>\textbraceleft{}</c> (<c>\lbrace</c> in math). Titles also get their inner capitals protected
/// (<c>{BERT}</c>, <c>{GPT-4}</c>), since bibliography styles lower-case the rest. Non-ASCII stays UTF-8.
/// </summary>
public static class BibTexText
{
    public static string Title(string text) => Escape(text, protectCase: true);

    /// <summary>A name as printed; braced whole when BibTeX would split or invert it (a group's " and ", a comma).</summary>
    public static string Author(string printed)
    {
        var name = Escape(printed);
        var parsed = PersonName.Parse(printed);
        return parsed.IsLiteral ? "{" + name + "}" : name;
    }

    /// <summary>A DOI or URL: braces cannot be escaped usefully there, so unmatched ones are dropped; the rest is left as it is.</summary>
    public static string Verbatim(string text)
    {
        var unmatched = UnmatchedBraces(text);
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (!unmatched.Contains(i) && !char.IsControl(text[i]))
                sb.Append(text[i]);
        }
        return sb.ToString();
    }

    public static string Escape(string text, bool protectCase = false)
    {
        text = TextNormalizer.Collapse(text);
        var unmatched = UnmatchedBraces(text);
        var sb = new StringBuilder(text.Length + 16);
        var depth = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '$' && MathEnd(text, i) is { } end)
            {
                AppendMath(sb, text, i, end, unmatched);
                i = end;
                continue;
            }
            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    sb.Append("\\textbackslash{}");
                    i++;
                }
                else if (char.IsAsciiLetter(text[i + 1]))
                {
                    var start = i++;
                    while (i < text.Length && char.IsAsciiLetter(text[i]))
                        i++;
                    sb.Append(text, start, i - start);
                }
                else if (text[i + 1] is '{' or '}' && unmatched.Contains(i + 1))
                {
                    sb.Append(text[i + 1] == '{' ? "\\textbraceleft{}" : "\\textbraceright{}");
                    i += 2;
                }
                else
                {
                    sb.Append(c).Append(text[i + 1]);
                    i += 2;
                }
                continue;
            }
            switch (c)
            {
                case '{' or '}' when unmatched.Contains(i):
                    sb.Append(c == '{' ? "\\textbraceleft{}" : "\\textbraceright{}");
                    break;
                case '{':
                    depth++;
                    sb.Append(c);
                    break;
                case '}':
                    depth--;
                    sb.Append(c);
                    break;
                case '&' or '%' or '#' or '_' or '$':
                    sb.Append('\\').Append(c);
                    break;
                case '^':
                    sb.Append("\\^{}");
                    break;
                default:
                    if (protectCase && depth == 0 && IsWordChar(c) && (i == 0 || !IsWordChar(text[i - 1])))
                    {
                        var start = i;
                        while (i < text.Length && IsWordChar(text[i]))
                            i++;
                        var word = text[start..i];
                        var inner = word.Skip(1).Any(char.IsUpper);
                        sb.Append(inner ? "{" + word + "}" : word);
                        continue;
                    }
                    sb.Append(c);
                    break;
            }
            i++;
        }
        return sb.ToString();
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '-';

    /// <summary>The position after the math that opens at <paramref name="start"/> ($…$ or $$…$$); null when it is never closed.</summary>
    private static int? MathEnd(string text, int start)
    {
        var display = start + 1 < text.Length && text[start + 1] == '$';
        var from = start + (display ? 2 : 1);
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }
            if (text[i] != '$')
                continue;
            if (!display)
                return i + 1;
            if (i + 1 < text.Length && text[i + 1] == '$')
                return i + 2;
        }
        return null;
    }

    private static void AppendMath(StringBuilder sb, string text, int start, int end, HashSet<int> unmatched)
    {
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < end)
            {
                if (text[i + 1] is '{' or '}' && unmatched.Contains(i + 1))
                    sb.Append(text[i + 1] == '{' ? "\\lbrace " : "\\rbrace ");
                else
                    sb.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (c is '{' or '}' && unmatched.Contains(i))
                sb.Append(c == '{' ? "\\lbrace " : "\\rbrace ");
            else if (c is '&' or '%' or '#')
                sb.Append('\\').Append(c);
            else
                sb.Append(c);
        }
    }

    /// <summary>The positions of braces without a partner, counting every brace as BibTeX does.</summary>
    private static HashSet<int> UnmatchedBraces(string text)
    {
        var open = new Stack<int>();
        var unmatched = new HashSet<int>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '{')
                open.Push(i);
            else if (text[i] == '}' && !open.TryPop(out _))
                unmatched.Add(i);
        }
        foreach (var i in open)
            unmatched.Add(i);
        return unmatched;
    }
}
