using System.Text.Encodings.Web;
using System.Text.Json;

namespace Paperboy.Core.Library.Exports;

/// <summary>
/// CSL-JSON (citeproc, Pandoc, Zotero): an array of items; a preprint is an <c>article</c> published by arXiv with
/// its number, a paper arXiv knows the journal of an <c>article-journal</c>. Text is written as it is (UTF-8; the
/// LaTeX in titles too: CSL has no markup of its own for math).
/// </summary>
public static class CslJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(IReadOnlyList<CitationItem> items, IReadOnlyList<string> keys)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartArray();
            for (var i = 0; i < items.Count; i++)
                Item(w, items[i], keys[i]);
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void Item(Utf8JsonWriter w, CitationItem item, string key)
    {
        var p = item.Paper;
        w.WriteStartObject();
        w.WriteString("id", key);
        w.WriteString("type", p.JournalRef is { Length: > 0 } ? "article-journal" : "article");
        w.WriteString("title", p.Title);
        w.WriteStartArray("author");
        foreach (var author in p.Authors)
        {
            var name = PersonName.Parse(author);
            w.WriteStartObject();
            if (name.IsLiteral)
            {
                w.WriteString("literal", name.Family);
            }
            else
            {
                w.WriteString("family", name.Family);
                if (name.Given is not null)
                    w.WriteString("given", name.Given);
                if (name.Suffix is not null)
                    w.WriteString("suffix", name.Suffix);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (p.PublishedOn is { } day)
        {
            w.WriteStartObject("issued");
            w.WriteStartArray("date-parts");
            w.WriteStartArray();
            w.WriteNumberValue(day.Year);
            w.WriteNumberValue(day.Month);
            w.WriteNumberValue(day.Day);
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        else if (Citations.Year(p) is { } year)
        {
            w.WriteStartObject("issued");
            w.WriteStartArray("date-parts");
            w.WriteStartArray();
            w.WriteNumberValue(year);
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        if (p.JournalRef is { Length: > 0 } journal)
            w.WriteString("container-title", journal);
        if (!p.IsLocal)
        {
            w.WriteString("publisher", "arXiv");
            w.WriteString("number", "arXiv:" + p.Id);
        }
        if (p.Doi is { Length: > 0 } doi)
            w.WriteString("DOI", doi);
        if (p.AbsUrl is { } url)
            w.WriteString("URL", url);
        if (item.Tags is { Count: > 0 } tags)
            w.WriteString("keyword", string.Join(", ", tags));
        if (item.Note is { Length: > 0 } note)
            w.WriteString("note", note);
        if (p.Abstract.Length > 0)
            w.WriteString("abstract", p.Abstract);
        w.WriteEndObject();
    }
}
