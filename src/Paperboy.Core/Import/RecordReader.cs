using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Import;

/// <summary>
/// Turns a source file into records, one format per method; <see cref="Read"/> is the switch. Each bad line
/// becomes an <see cref="ImportItem"/> with its location and reason, and reading goes on.
/// </summary>
public static class RecordReader
{
    private static readonly JsonSerializerOptions Json = new() { AllowTrailingCommas = false, MaxDepth = 16 };

    /// <param name="defaultDay">The listing day for records that carry none (title/abstract lines).</param>
    public static IEnumerable<ImportItem> Read(SourceFile file, ImportFormat? format, DateOnly defaultDay)
    {
        var reader = new StreamReader(file.Content, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var (firstLine, firstLineNo) = FirstNonEmptyLine(reader);
        if (firstLine is null)
            yield break;
        var fmt = format ?? Detect(firstLine)
            ?? throw new ImportFileException($"{file.Name}: cannot tell the format from line {firstLineNo}; give it with --format (listings, kaggle, hf-daily, title-abstract)");

        if (fmt == ImportFormat.HfDaily)
        {
            var text = firstLine + "\n" + reader.ReadToEnd();
            if (file.EndedEarly())
                throw new ImportFileException($"{file.Name}: the file ends early (truncated or corrupt gzip)");
            foreach (var item in ReadHfDaily(file.Name, text))
                yield return item;
            yield break;
        }

        DateOnly? listingDay = null;
        if (fmt == ImportFormat.Listings)
        {
            listingDay = SourceFile.DayFromName(file.Path)
                ?? throw new ImportFileException($"{file.Name}: a listings file must be named for its day, like 2025-03-20.jsonl.gz");
        }

        var lineNo = firstLineNo;
        var line = firstLine;
        while (line is not null)
        {
            // Read one line ahead: the last line of a cut-off file is partial and must not pass for a record.
            var next = reader.ReadLine();
            if (next is null && file.EndedEarly())
                throw new ImportFileException($"{file.Name}: the file ends early (truncated or corrupt gzip) at line {lineNo}; the {lineNo - 1:N0} lines before it were read");
            if (line.Length > 0 && !string.IsNullOrWhiteSpace(line))
            {
                var location = $"{file.Name}:{lineNo}";
                ImportItem item;
                try
                {
                    var paper = fmt switch
                    {
                        ImportFormat.Listings => FromListing(line, listingDay!.Value, lineNo),
                        ImportFormat.Kaggle => FromKaggle(line),
                        _ => FromTitleAbstract(line, defaultDay, lineNo),
                    };
                    var problem = RecordLimits.Check(paper);
                    item = problem is null ? ImportItem.Ok(paper, location) : ImportItem.Bad(location, problem);
                }
                catch (JsonException ex)
                {
                    item = ImportItem.Bad(location, JsonProblem(ex));
                }
                catch (RecordException ex)
                {
                    item = ImportItem.Bad(location, ex.Message);
                }
                yield return item;
            }
            line = next;
            lineNo++;
        }
    }

    public static ImportFormat? Detect(string firstLine)
    {
        var s = firstLine.TrimStart();
        if (s.StartsWith('['))
            return ImportFormat.HfDaily;
        if (!s.StartsWith('{'))
            return null;
        try
        {
            using var doc = JsonDocument.Parse(s);
            var o = doc.RootElement;
            if (o.TryGetProperty("versions", out _) || o.TryGetProperty("update_date", out _) || o.TryGetProperty("authors_parsed", out _))
                return ImportFormat.Kaggle;
            if (o.TryGetProperty("id", out _) && (o.TryGetProperty("summary", out _) || o.TryGetProperty("pdf", out _)))
                return ImportFormat.Listings;
            if (o.TryGetProperty("title", out _) && o.TryGetProperty("abstract", out _) && !o.TryGetProperty("id", out _))
                return ImportFormat.TitleAbstract;
        }
        catch (JsonException)
        {
        }
        return null;
    }

    private static (string? Line, int LineNo) FirstNonEmptyLine(StreamReader reader)
    {
        var n = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            n++;
            if (!string.IsNullOrWhiteSpace(line))
                return (line, n);
        }
        return (null, n);
    }

    private sealed class RecordException(string message) : Exception(message);

    private static string RequireId(string? raw, string field, out int? version)
    {
        if (string.IsNullOrWhiteSpace(raw))
            throw new RecordException($"{field} is missing");
        if (!ArxivId.TryParse(raw, out var id, out version))
            throw new RecordException($"{field} '{TextNormalizer.Clip(raw)}' is not an arXiv id");
        return id;
    }

    private static string RequireTitle(string? raw, string field = "title")
    {
        var t = TextNormalizer.Collapse(raw);
        return t.Length == 0 ? throw new RecordException($"{field} is missing") : t;
    }

    private static IReadOnlyList<string> CleanList(IEnumerable<string?>? items) =>
        items?.Select(TextNormalizer.Collapse).Where(s => s.Length > 0).ToList() ?? [];

    // ---- arXiv daily listings ------------------------------------------------------------------

    private sealed record ListingLine(
        [property: JsonPropertyName("id")] string? Id,
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("authors")] List<string?>? Authors,
        [property: JsonPropertyName("categories")] List<string?>? Categories,
        [property: JsonPropertyName("comment")] string? Comment,
        [property: JsonPropertyName("summary")] string? Summary);

    private static IncomingPaper FromListing(string line, DateOnly day, int lineNo)
    {
        var r = JsonSerializer.Deserialize<ListingLine>(line, Json) ?? throw new RecordException("record is null");
        var id = RequireId(r.Id, "id", out var version);
        return new IncomingPaper
        {
            Id = id,
            Version = version,
            Title = RequireTitle(r.Title),
            Authors = CleanList(r.Authors),
            Abstract = TextNormalizer.Collapse(r.Summary),
            Categories = CleanList(r.Categories),
            Comments = TextNormalizer.CollapseOrNull(r.Comment),
            ListingDay = day,
            ListingPosition = lineNo,
            Source = "listings",
        };
    }

    // ---- Cornell/Kaggle arxiv-metadata-oai-snapshot ------------------------------------------

    private sealed record KaggleVersion(
        [property: JsonPropertyName("version")] string? Version,
        [property: JsonPropertyName("created")] string? Created);

    private sealed record KaggleLine(
        [property: JsonPropertyName("id")] string? Id,
        [property: JsonPropertyName("submitter")] string? Submitter,
        [property: JsonPropertyName("authors")] string? Authors,
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("comments")] string? Comments,
        [property: JsonPropertyName("journal-ref")] string? JournalRef,
        [property: JsonPropertyName("doi")] string? Doi,
        [property: JsonPropertyName("report-no")] string? ReportNo,
        [property: JsonPropertyName("categories")] string? Categories,
        [property: JsonPropertyName("license")] string? License,
        [property: JsonPropertyName("abstract")] string? Abstract,
        [property: JsonPropertyName("versions")] List<KaggleVersion>? Versions,
        [property: JsonPropertyName("update_date")] string? UpdateDate,
        [property: JsonPropertyName("authors_parsed")] List<List<string?>>? AuthorsParsed);

    private static IncomingPaper FromKaggle(string line)
    {
        var r = JsonSerializer.Deserialize<KaggleLine>(line, Json) ?? throw new RecordException("record is null");
        var id = RequireId(r.Id, "id", out _);
        var versions = new List<PaperVersion>();
        foreach (var v in r.Versions ?? [])
        {
            if (v.Version is not { Length: > 1 } vs || vs[0] != 'v' || !int.TryParse(vs.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new RecordException($"versions: '{TextNormalizer.Clip(v.Version ?? "")}' is not a version like v1");
            DateTimeOffset? created = DateTimeOffset.TryParse(v.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var c) ? c.ToUniversalTime() : null;
            versions.Add(new PaperVersion(n, created));
        }
        DateOnly? updated = null;
        if (!string.IsNullOrEmpty(r.UpdateDate))
        {
            updated = Days.TryParse(r.UpdateDate, out var u)
                ? u
                : throw new RecordException($"update_date '{TextNormalizer.Clip(r.UpdateDate)}' is not a date (yyyy-MM-dd)");
        }
        var first = versions.Where(v => v.CreatedAt is not null).OrderBy(v => v.Version).FirstOrDefault();
        DateOnly? published = first?.CreatedAt is { } fc ? DateOnly.FromDateTime(fc.UtcDateTime) : null;
        return new IncomingPaper
        {
            Id = id,
            Title = RequireTitle(r.Title),
            Authors = KaggleAuthors(r),
            Abstract = TextNormalizer.Collapse(r.Abstract),
            Categories = CleanList((r.Categories ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)),
            Comments = TextNormalizer.CollapseOrNull(r.Comments),
            JournalRef = TextNormalizer.CollapseOrNull(r.JournalRef),
            Doi = TextNormalizer.CollapseOrNull(r.Doi),
            ReportNo = TextNormalizer.CollapseOrNull(r.ReportNo),
            License = TextNormalizer.CollapseOrNull(r.License),
            ArxivSubmitter = TextNormalizer.CollapseOrNull(r.Submitter),
            Versions = versions,
            PublishedOn = published,
            UpdatedOn = updated,
            // Bulk snapshots have no announcement day: list the paper on the day v1 was submitted.
            ListingDay = published,
            Source = "kaggle",
        };
    }

    private static IReadOnlyList<string> KaggleAuthors(KaggleLine r)
    {
        if (r.AuthorsParsed is { Count: > 0 } parsed)
        {
            // [last, first, suffix] -> "first last suffix"
            return CleanList(parsed.Select(p => string.Join(' ', new[] { p.ElementAtOrDefault(1), p.ElementAtOrDefault(0), p.ElementAtOrDefault(2) }.Where(s => !string.IsNullOrWhiteSpace(s)))));
        }
        var text = TextNormalizer.Collapse(r.Authors).Replace(" and ", ", ", StringComparison.Ordinal);
        return CleanList(text.Split(',', StringSplitOptions.TrimEntries));
    }

    // ---- {title, abstract} lines ---------------------------------------------------------------

    private sealed record TitleAbstractLine(
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("abstract")] string? Abstract,
        [property: JsonPropertyName("authors")] List<string?>? Authors);

    private static IncomingPaper FromTitleAbstract(string line, DateOnly day, int lineNo)
    {
        var r = JsonSerializer.Deserialize<TitleAbstractLine>(line, Json) ?? throw new RecordException("record is null");
        var title = RequireTitle(r.Title);
        return new IncomingPaper
        {
            Id = ArxivId.LocalFor(title),
            Title = title,
            Authors = CleanList(r.Authors),
            Abstract = TextNormalizer.Collapse(r.Abstract),
            ListingDay = day,
            ListingPosition = lineNo,
            Source = "title-abstract",
        };
    }

    // ---- Hugging Face /api/daily_papers --------------------------------------------------------

    private static IEnumerable<ImportItem> ReadHfDaily(string fileName, string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            throw new ImportFileException($"{fileName}: invalid JSON at line {(ex.LineNumber ?? 0) + 1}: {FirstSentence(ex.Message)}", ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new ImportFileException($"{fileName}: a daily_papers response is a JSON array");
            var index = 0;
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                index++;
                var location = $"{fileName}: item {index}";
                ImportItem result;
                try
                {
                    var paper = FromHfItem(item, index);
                    var problem = RecordLimits.Check(paper);
                    result = problem is null ? ImportItem.Ok(paper, location) : ImportItem.Bad(location, problem);
                }
                catch (RecordException ex)
                {
                    result = ImportItem.Bad(location, ex.Message);
                }
                catch (InvalidOperationException ex)
                {
                    result = ImportItem.Bad(location, "unexpected JSON shape: " + ex.Message);
                }
                yield return result;
            }
        }
    }

    private static IncomingPaper FromHfItem(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("paper", out var p) || p.ValueKind != JsonValueKind.Object)
            throw new RecordException("item has no 'paper' object");
        var id = RequireId(Str(p, "id"), "paper.id", out var version);
        var authors = new List<string>();
        if (p.TryGetProperty("authors", out var a) && a.ValueKind == JsonValueKind.Array)
        {
            foreach (var author in a.EnumerateArray())
            {
                if (author.ValueKind == JsonValueKind.Object && Str(author, "name") is { } name)
                    authors.Add(name);
            }
        }
        Submitter? submitter = null;
        var by = item.TryGetProperty("submittedBy", out var s1) ? s1 : p.TryGetProperty("submittedOnDailyBy", out var s2) ? s2 : default;
        // Cleaned like every other text: a NUL in a name would make PostgreSQL refuse the whole batch.
        if (by.ValueKind == JsonValueKind.Object && TextNormalizer.CollapseOrNull(Str(by, "name")) is { } login)
            submitter = new Submitter(login, TextNormalizer.CollapseOrNull(Str(by, "fullname")));
        return new IncomingPaper
        {
            Id = id,
            Version = version,
            Title = RequireTitle(Str(p, "title"), "paper.title"),
            Authors = CleanList(authors),
            Abstract = TextNormalizer.Collapse(Str(p, "summary")),
            PublishedOn = Date(p, "publishedAt"),
            ListingDay = Date(p, "submittedOnDailyAt") ?? Date(item, "publishedAt"),
            ListingPosition = index,
            CodeUrl = TextNormalizer.CollapseOrNull(Str(p, "githubRepo")),
            ProjectUrl = TextNormalizer.CollapseOrNull(Str(p, "projectPage")),
            Upvotes = p.TryGetProperty("upvotes", out var u) && u.ValueKind == JsonValueKind.Number && u.TryGetInt32(out var uv) ? Math.Max(0, uv) : null,
            NumComments = item.TryGetProperty("numComments", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var cv) ? Math.Max(0, cv) : null,
            SubmittedBy = submitter,
            Source = "hf-daily",
        };
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateOnly? Date(JsonElement o, string name)
    {
        var s = Str(o, name);
        if (s is null)
            return null;
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? DateOnly.FromDateTime(d.UtcDateTime)
            : throw new RecordException($"{name} '{TextNormalizer.Clip(s)}' is not a date");
    }


    /// <summary>System.Text.Json's message in plain words, with the column where the line went wrong.</summary>
    internal static string JsonProblem(JsonException ex)
    {
        var at = ex.BytePositionInLine is { } column ? $" at column {column + 1}" : "";
        var message = ex.Message;
        var why = message switch
        {
            _ when message.Contains("Expected depth to be zero", StringComparison.Ordinal) => "the line ends before its object is closed (cut off?)",
            _ when message.Contains("is an invalid start of a value", StringComparison.Ordinal) => "expected a JSON value (a string, number, object or array) here",
            _ when message.Contains("is invalid after a value", StringComparison.Ordinal) => "something follows a complete value where a comma or a closing brace belongs",
            _ when message.Contains("is invalid after a property name", StringComparison.Ordinal) => "a property name is not followed by a colon",
            _ when message.Contains("is an invalid escapable character", StringComparison.Ordinal) => "a backslash escape that JSON does not have",
            _ when message.Contains("could not be converted", StringComparison.Ordinal) => "a field has the wrong kind of value",
            _ => FirstSentence(message).TrimEnd('.'),
        };
        return $"invalid JSON{at}: {why}";
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..(i + 1)] : message;
    }
}
