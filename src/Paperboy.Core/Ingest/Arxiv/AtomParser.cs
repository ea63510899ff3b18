using System.Globalization;
using System.Xml.Linq;
using Paperboy.Core.Import;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Ingest.Arxiv;

public sealed record AtomFeed(int? TotalResults, int? StartIndex, IReadOnlyList<AtomEntry> Entries);

/// <summary>An entry of the query API or an announcement feed; <see cref="AnnounceType"/> only in feeds.</summary>
public sealed record AtomEntry(IncomingPaper Paper, string? AnnounceType);

/// <summary>arXiv's query API explained why it cannot answer (its error entries).</summary>
public sealed class ArxivQueryException(string message) : Exception(message);

/// <summary>
/// Reads arXiv's Atom: the query API (classic and current serializations: elements are found by namespace and
/// name, wherever the namespaces are declared) and the announcement feeds (rss.arxiv.org/atom/…).
/// </summary>
public static class AtomParser
{
    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    public static readonly XNamespace ArxivAtom = "http://arxiv.org/schemas/atom";
    public static readonly XNamespace OpenSearch = "http://a9.com/-/spec/opensearch/1.1/";
    public static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";

    public static AtomFeed ParseQuery(string xml, string where)
    {
        var feed = Root(xml, where);
        var entries = new List<AtomEntry>();
        var n = 0;
        foreach (var e in feed.Elements(Atom + "entry"))
        {
            n++;
            var idText = e.Element(Atom + "id")?.Value.Trim() ?? "";
            if (idText.Contains("/api/errors", StringComparison.Ordinal))
                throw new ArxivQueryException($"{where}: arXiv says: {TextNormalizer.Collapse(e.Element(Atom + "summary")?.Value)}");
            if (!ArxivId.TryParse(idText, out var id, out var version))
                throw new ArxivFormatException($"{where}, entry {n}: id '{idText}' is not an arXiv id");
            var primary = (string?)e.Element(ArxivAtom + "primary_category")?.Attribute("term");
            var categories = e.Elements(Atom + "category").Select(c => (string?)c.Attribute("term")).OfType<string>().ToList();
            var comment = TextNormalizer.CollapseOrNull(e.Element(ArxivAtom + "comment")?.Value);
            entries.Add(new AtomEntry(new IncomingPaper
            {
                Id = id,
                Version = version,
                Title = Title(e, id, where),
                Authors = e.Elements(Atom + "author").Select(a => TextNormalizer.Collapse(a.Element(Atom + "name")?.Value)).Where(a => a.Length > 0).ToList(),
                Abstract = TextNormalizer.Collapse(e.Element(Atom + "summary")?.Value),
                Categories = PrimaryFirst(primary, categories),
                Comments = comment,
                JournalRef = TextNormalizer.CollapseOrNull(e.Element(ArxivAtom + "journal_ref")?.Value),
                Doi = TextNormalizer.CollapseOrNull(e.Element(ArxivAtom + "doi")?.Value),
                PublishedOn = Day(e.Element(Atom + "published")?.Value),
                UpdatedOn = Day(e.Element(Atom + "updated")?.Value),
                Withdrawn = Withdrawal.IsWithdrawn(comment),
                Source = "arxiv-api",
            }, null));
        }
        return new AtomFeed(IntOf(feed.Element(OpenSearch + "totalResults")), IntOf(feed.Element(OpenSearch + "startIndex")), entries);
    }

    /// <summary>
    /// An announcement feed: each entry's day is the feed's announcement day (its own <c>published</c>, read in
    /// arXiv's time zone), which becomes the paper's listing day.
    /// </summary>
    public static AtomFeed ParseAnnouncements(string xml, string where)
    {
        var feed = Root(xml, where);
        var feedDay = DayInOwnZone(feed.Element(Atom + "updated")?.Value);
        var entries = new List<AtomEntry>();
        var n = 0;
        foreach (var e in feed.Elements(Atom + "entry"))
        {
            n++;
            var idText = e.Element(Atom + "id")?.Value.Trim() ?? "";
            var bare = idText.StartsWith("oai:arXiv.org:", StringComparison.Ordinal) ? idText["oai:arXiv.org:".Length..] : idText;
            if (!ArxivId.TryParse(bare, out var id, out var version))
                throw new ArxivFormatException($"{where}, entry {n}: id '{idText}' is not an arXiv id");
            var day = DayInOwnZone(e.Element(Atom + "published")?.Value) ?? feedDay
                ?? throw new ArxivFormatException($"{where}, entry {n}: no announcement date");
            var type = TextNormalizer.CollapseOrNull(e.Element(ArxivAtom + "announce_type")?.Value);
            var categories = e.Elements(Atom + "category").Select(c => (string?)c.Attribute("term")).OfType<string>().ToList();
            var creators = e.Elements(Dc + "creator").Select(c => c.Value).ToList();
            entries.Add(new AtomEntry(new IncomingPaper
            {
                Id = id,
                Version = version,
                Title = Title(e, id, where),
                Authors = creators.Count == 1 ? OaiPmhParser.SplitAuthors(creators[0]) : creators.Select(c => TextNormalizer.Collapse(c)).Where(c => c.Length > 0).ToList(),
                Abstract = FeedAbstract(e.Element(Atom + "summary")?.Value),
                Categories = categories,
                License = TextNormalizer.CollapseOrNull(e.Element(Dc + "rights")?.Value),
                ListingDay = day,
                ListingPosition = n,
                // A new paper's first announcement is its publication; a replacement is an update on that day.
                PublishedOn = type is "new" or "cross" ? day : null,
                UpdatedOn = day,
                Source = "announcements",
            }, type));
        }
        return new AtomFeed(entries.Count, 0, entries);
    }

    private static XElement Root(string xml, string where)
    {
        var root = SafeXml.Parse(xml, where).Root;
        return root is not null && root.Name == Atom + "feed" ? root
            : throw new ArxivFormatException($"{where}: not an Atom feed (root element {root?.Name.LocalName ?? "missing"})");
    }

    private static string Title(XElement e, string id, string where)
    {
        var t = TextNormalizer.Collapse(e.Element(Atom + "title")?.Value);
        return t.Length > 0 ? t : throw new ArxivFormatException($"{where}: entry {id} has no title");
    }

    /// <summary>Feed summaries read "arXiv:2503.14603v1 Announce Type: new \nAbstract: …": keep the abstract.</summary>
    private static string FeedAbstract(string? summary)
    {
        var s = summary ?? "";
        var i = s.IndexOf("Abstract:", StringComparison.Ordinal);
        return TextNormalizer.Collapse(i >= 0 ? s[(i + "Abstract:".Length)..] : s);
    }

    private static IReadOnlyList<string> PrimaryFirst(string? primary, List<string> categories)
    {
        if (primary is null)
            return categories;
        return [primary, .. categories.Where(c => c != primary)];
    }

    private static int? IntOf(XElement? e) => int.TryParse(e?.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static DateOnly? Day(string? s) =>
        DateTimeOffset.TryParse(s?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? DateOnly.FromDateTime(d.UtcDateTime) : null;

    /// <summary>"2025-03-20T00:00:00-04:00" is the 20th where arXiv is, though the 20th at 04:00 in UTC.</summary>
    private static DateOnly? DayInOwnZone(string? s) =>
        DateTimeOffset.TryParse(s?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? DateOnly.FromDateTime(d.DateTime) : null;
}
