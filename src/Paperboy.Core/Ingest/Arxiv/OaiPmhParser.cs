using System.Globalization;
using System.Xml.Linq;
using Paperboy.Core.Import;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Ingest.Arxiv;

/// <summary>One record of a ListRecords page: a paper, or the notice that arXiv deleted it.</summary>
public sealed record OaiRecord(string Id, DateOnly Datestamp, bool Deleted, IncomingPaper? Paper);

public sealed record OaiPage(IReadOnlyList<OaiRecord> Records, string? ResumptionToken, int? CompleteListSize, int? Cursor);

/// <summary>An OAI-PMH error answer other than "no records" (badResumptionToken, badArgument, …).</summary>
public sealed class OaiPmhException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Reads OAI-PMH ListRecords/GetRecord answers in arXiv's two metadata formats.</summary>
public static class OaiPmhParser
{
    public static readonly XNamespace Oai = "http://www.openarchives.org/OAI/2.0/";
    public static readonly XNamespace ArxivNs = "http://arxiv.org/OAI/arXiv/";
    public static readonly XNamespace RawNs = "http://arxiv.org/OAI/arXivRaw/";

    public static OaiPage Parse(string xml, string where)
    {
        var root = SafeXml.Parse(xml, where).Root;
        if (root is null || root.Name != Oai + "OAI-PMH")
            throw new ArxivFormatException($"{where}: not an OAI-PMH answer (root element {root?.Name.LocalName ?? "missing"})");
        if (root.Element(Oai + "error") is { } error)
        {
            var code = (string?)error.Attribute("code") ?? "unknown";
            if (code == "noRecordsMatch")
                return new OaiPage([], null, 0, 0);
            throw new OaiPmhException(code, $"{where}: arXiv answered OAI-PMH error {code}: {error.Value.Trim()}");
        }
        var list = root.Element(Oai + "ListRecords") ?? root.Element(Oai + "GetRecord")
            ?? throw new ArxivFormatException($"{where}: neither ListRecords nor GetRecord in the answer");
        var records = new List<OaiRecord>();
        var n = 0;
        foreach (var record in list.Elements(Oai + "record"))
        {
            n++;
            records.Add(ParseRecord(record, $"{where}, record {n}"));
        }
        var token = list.Element(Oai + "resumptionToken");
        var tokenText = token?.Value.Trim();
        return new OaiPage(records, string.IsNullOrEmpty(tokenText) ? null : tokenText, Int(token?.Attribute("completeListSize")), Int(token?.Attribute("cursor")));
    }

    private static int? Int(XAttribute? a) => int.TryParse(a?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static OaiRecord ParseRecord(XElement record, string where)
    {
        var header = record.Element(Oai + "header") ?? throw new ArxivFormatException($"{where}: no header");
        var identifier = header.Element(Oai + "identifier")?.Value.Trim() ?? "";
        var idText = identifier.StartsWith("oai:arXiv.org:", StringComparison.Ordinal) ? identifier["oai:arXiv.org:".Length..] : identifier;
        if (!ArxivId.TryParse(idText, out var id, out _))
            throw new ArxivFormatException($"{where}: identifier '{identifier}' is not an arXiv id");
        if (!Days.TryParse(header.Element(Oai + "datestamp")?.Value.Trim(), out var datestamp))
            throw new ArxivFormatException($"{where}: datestamp missing or not yyyy-MM-dd");
        if ((string?)header.Attribute("status") == "deleted")
            return new OaiRecord(id, datestamp, true, null);

        var metadata = record.Element(Oai + "metadata")?.Elements().FirstOrDefault()
            ?? throw new ArxivFormatException($"{where}: record {id} has no metadata");
        var paper = metadata.Name == ArxivNs + "arXiv" ? FromArxiv(metadata, id, datestamp, where)
            : metadata.Name == RawNs + "arXivRaw" ? FromArxivRaw(metadata, id, datestamp, where)
            : throw new ArxivFormatException($"{where}: unknown metadata format {metadata.Name}");
        return new OaiRecord(id, datestamp, false, paper);
    }

    private static IncomingPaper FromArxiv(XElement m, string id, DateOnly datestamp, string where)
    {
        XNamespace ns = ArxivNs;
        var created = Day(m.Element(ns + "created")?.Value);
        var authors = m.Element(ns + "authors")?.Elements(ns + "author").Select(a => string.Join(' ', new[]
        {
            a.Element(ns + "forenames")?.Value, a.Element(ns + "keyname")?.Value, a.Element(ns + "suffix")?.Value,
        }.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => TextNormalizer.Collapse(s)))).Where(s => s.Length > 0).ToList() ?? [];
        return Build(id, null, m.Element(ns + "title")?.Value, authors, m.Element(ns + "abstract")?.Value, m.Element(ns + "categories")?.Value,
            m, ns, created, Day(m.Element(ns + "updated")?.Value) ?? datestamp, [], null, where);
    }

    private static IncomingPaper FromArxivRaw(XElement m, string id, DateOnly datestamp, string where)
    {
        XNamespace ns = RawNs;
        var versions = new List<PaperVersion>();
        foreach (var v in m.Elements(ns + "version"))
        {
            var label = (string?)v.Attribute("version") ?? "";
            if (label.Length < 2 || label[0] != 'v' || !int.TryParse(label.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                throw new ArxivFormatException($"{where}: version '{label}' is not like v1");
            DateTimeOffset? date = DateTimeOffset.TryParse(v.Element(ns + "date")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d.ToUniversalTime() : null;
            versions.Add(new PaperVersion(number, date));
        }
        var first = versions.Where(v => v.CreatedAt is not null).OrderBy(v => v.Version).FirstOrDefault();
        var last = versions.Where(v => v.CreatedAt is not null).OrderBy(v => v.Version).LastOrDefault();
        var authors = SplitAuthors(m.Element(ns + "authors")?.Value);
        // A withdrawn paper's last version is an empty replacement ("0kb") and its comment says so.
        var lastSize = m.Elements(ns + "version").LastOrDefault()?.Element(ns + "size")?.Value.Trim();
        return Build(id, versions.Count > 0 ? versions.Max(v => v.Version) : null, m.Element(ns + "title")?.Value, authors, m.Element(ns + "abstract")?.Value,
            m.Element(ns + "categories")?.Value, m, ns,
            first?.CreatedAt is { } c ? DateOnly.FromDateTime(c.UtcDateTime) : null,
            last?.CreatedAt is { } u ? DateOnly.FromDateTime(u.UtcDateTime) : datestamp,
            versions, TextNormalizer.CollapseOrNull(m.Element(ns + "submitter")?.Value), where, lastSize == "0kb");
    }

    private static IncomingPaper Build(string id, int? version, string? title, IReadOnlyList<string> authors, string? abstractText, string? categories,
        XElement m, XNamespace ns, DateOnly? created, DateOnly updated, IReadOnlyList<PaperVersion> versions, string? submitter, string where, bool emptyLastVersion = false)
    {
        var t = TextNormalizer.Collapse(title);
        if (t.Length == 0)
            throw new ArxivFormatException($"{where}: record {id} has no title");
        var comments = TextNormalizer.CollapseOrNull(m.Element(ns + "comments")?.Value);
        return new IncomingPaper
        {
            Id = id,
            Version = version,
            Title = t,
            Authors = authors,
            Abstract = TextNormalizer.Collapse(abstractText),
            Categories = (categories ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Comments = comments,
            JournalRef = TextNormalizer.CollapseOrNull(m.Element(ns + "journal-ref")?.Value),
            Doi = TextNormalizer.CollapseOrNull(m.Element(ns + "doi")?.Value),
            ReportNo = TextNormalizer.CollapseOrNull(m.Element(ns + "report-no")?.Value),
            License = TextNormalizer.CollapseOrNull(m.Element(ns + "license")?.Value),
            ArxivSubmitter = submitter,
            Versions = versions.Count > 0 ? versions : null,
            PublishedOn = created,
            UpdatedOn = updated,
            // OAI-PMH has no announcement days: like the bulk snapshot, list a paper on the day v1 was submitted.
            ListingDay = created,
            Withdrawn = emptyLastVersion || Withdrawal.IsWithdrawn(comments),
            Source = "oai-pmh",
        };
    }

    /// <summary>arXiv's author strings: "A. One, B. Two and C. Three".</summary>
    public static IReadOnlyList<string> SplitAuthors(string? text) =>
        TextNormalizer.Collapse(text).Replace(" and ", ", ", StringComparison.Ordinal)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static DateOnly? Day(string? s) =>
        Days.TryParse(s?.Trim(), out var d) ? d : null;
}

public static class Withdrawal
{
    /// <summary>arXiv's convention: a withdrawn paper's comment says "This paper has been withdrawn".</summary>
    public static bool IsWithdrawn(string? comments) =>
        comments is not null && (comments.Contains("has been withdrawn", StringComparison.OrdinalIgnoreCase)
            || comments.StartsWith("withdrawn", StringComparison.OrdinalIgnoreCase));
}
