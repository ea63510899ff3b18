using System.Text;
using System.Text.RegularExpressions;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Library;

public enum ImportOutcome
{
    /// <summary>Saved now.</summary>
    Saved,
    /// <summary>In the library already (the tags were added).</summary>
    AlreadySaved,
    /// <summary>An arXiv paper Paperboy does not have: submit it, then import again.</summary>
    NotInPaperboy,
    /// <summary>No arXiv id in eprint, url, doi (or Google Scholar's "arXiv preprint arXiv:…").</summary>
    NoArxivId,
    /// <summary>A second entry for a paper an earlier entry of the file named.</summary>
    Duplicate,
}

/// <summary>What became of one entry of an imported file.</summary>
public sealed record ImportedEntry(string Key, int Line, string? PaperId, ImportOutcome Outcome);

/// <summary>An import's report: every well-formed entry's outcome, and the problems (broken entries with their lines).</summary>
public sealed record LibraryImportReport(IReadOnlyList<ImportedEntry> Entries, IReadOnlyList<BibProblem> Problems)
{
    public int Count(ImportOutcome outcome) => Entries.Count(e => e.Outcome == outcome);
}

/// <summary>
/// Seeds a library from a BibTeX file: each entry's arXiv id (from <c>eprint</c>, an arxiv.org abs or pdf
/// <c>url</c>, a <c>doi</c> 10.48550/arXiv.ID, or a journal/note that says "arXiv:ID", as Google Scholar writes),
/// the papers Paperboy has saved in one transaction with the chosen tags. Papers it lacks are reported, not fetched:
/// a file of hundreds would take arXiv's polite three seconds each; the report links each to the Submit page.
/// </summary>
public sealed partial class LibraryImporter(ILibraryStore library, IPaperReader papers)
{
    [GeneratedRegex(@"arxiv\.org/(?:abs|pdf)/(?<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ArxivUrl();

    [GeneratedRegex(@"10\.48550/arxiv\.(?<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ArxivDoi();

    [GeneratedRegex(@"arxiv(?:\s+preprint)?\s*:?\s*(?:arxiv\s*:\s*)?(?<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ArxivMention();

    public async Task<LibraryImportReport> ImportAsync(long userId, string text, IReadOnlyList<string> tags, DateTimeOffset at, CancellationToken ct = default)
    {
        var file = BibTexParser.Parse(text);
        var wanted = file.Entries.Select(e => (Entry: e, Id: FindArxivId(e))).ToList();
        var ids = wanted.Where(w => w.Id is not null).Select(w => w.Id!).Distinct(StringComparer.Ordinal).ToList();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(500))
            known.UnionWith((await papers.GetPapersAsync(chunk, ct)).Select(p => p.Id));
        var saved = await library.SaveManyAsync(userId, ids.Where(known.Contains).ToList(), tags, at, ct);
        var added = saved.Added.ToHashSet(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var entries = wanted.Select(w => new ImportedEntry(w.Entry.Key, w.Entry.Line, w.Id,
            w.Id is not { } id ? ImportOutcome.NoArxivId
            : !reported.Add(id) ? ImportOutcome.Duplicate
            : !known.Contains(id) ? ImportOutcome.NotInPaperboy
            : added.Contains(id) ? ImportOutcome.Saved
            : ImportOutcome.AlreadySaved)).ToList();
        return new LibraryImportReport(entries, file.Problems);
    }

    /// <summary>The arXiv id an entry names (canonical, no version), or null.</summary>
    public static string? FindArxivId(BibEntry entry)
    {
        var archive = entry["archiveprefix"] ?? entry["eprinttype"];
        if (entry["eprint"] is { } eprint && (archive is null || archive.Equals("arxiv", StringComparison.OrdinalIgnoreCase))
            && ArxivId.TryParse(eprint.Trim(), out var id, out _))
            return id;
        foreach (var (field, pattern) in new[] { ("url", ArxivUrl()), ("doi", ArxivDoi()), ("eprint", ArxivUrl()), ("journal", ArxivMention()), ("note", ArxivMention()), ("howpublished", ArxivMention()), ("publisher", ArxivMention()) })
        {
            if (entry[field] is { } value && pattern.Match(value) is { Success: true } m && ArxivId.TryParse(m.Groups["id"].Value, out var found, out _))
                return found;
        }
        return null;
    }

    /// <summary>An uploaded file's text: UTF-8 (with or without a byte-order mark), else Latin-1, as older .bib files are.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            bytes = bytes[3..];
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }
}
