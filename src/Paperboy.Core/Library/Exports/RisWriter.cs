using System.Globalization;
using System.Text;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Library.Exports;

/// <summary>
/// RIS (Zotero, EndNote, Mendeley): <c>UNPB</c> for a preprint, <c>JOUR</c> when arXiv knows the journal; one
/// <c>AU</c> per author as "Family, Given"; tags as <c>KW</c>, a collection's note as <c>N1</c>. Lines end in CRLF as
/// the format asks, each value on one line.
/// </summary>
public static class RisWriter
{
    public static string Write(IReadOnlyList<CitationItem> items, IReadOnlyList<string> keys)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < items.Count; i++)
            Entry(sb, items[i], keys[i]);
        return sb.ToString();
    }

    private static void Entry(StringBuilder sb, CitationItem item, string key)
    {
        var p = item.Paper;
        Line(sb, "TY", p.JournalRef is { Length: > 0 } ? "JOUR" : "UNPB");
        Line(sb, "ID", key);
        Line(sb, "TI", p.Title);
        foreach (var author in p.Authors)
            Line(sb, "AU", PersonName.Parse(author).Inverted);
        if (Citations.Year(p) is { } year)
            Line(sb, "PY", year.ToString(CultureInfo.InvariantCulture));
        if (p.PublishedOn is { } day)
            Line(sb, "DA", day.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture));
        if (p.JournalRef is { Length: > 0 } journal)
            Line(sb, "JO", journal);
        if (!p.IsLocal)
        {
            Line(sb, "AN", "arXiv:" + p.Id);
            Line(sb, "DB", "arXiv");
        }
        if (p.Doi is { Length: > 0 } doi)
            Line(sb, "DO", doi);
        if (p.AbsUrl is { } url)
            Line(sb, "UR", url);
        if (p.PdfUrl is { } pdf)
            Line(sb, "L1", pdf);
        foreach (var tag in item.Tags ?? [])
            Line(sb, "KW", tag);
        if (item.Note is { Length: > 0 } note)
            Line(sb, "N1", note);
        if (p.Abstract.Length > 0)
            Line(sb, "AB", p.Abstract);
        sb.Append("ER  - \r\n\r\n");
    }

    private static void Line(StringBuilder sb, string tag, string value) =>
        sb.Append(tag).Append("  - ").Append(TextNormalizer.Collapse(value)).Append("\r\n");
}
