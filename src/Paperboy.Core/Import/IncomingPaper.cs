using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Import;

/// <summary>
/// One record read from a source (a listing line, a bulk-metadata line, an API item), already normalised.
/// Fields a source does not carry are null and never erase what another source said.
/// </summary>
public sealed record IncomingPaper
{
    public required string Id { get; init; }
    public int? Version { get; init; }
    public required string Title { get; init; }
    public required IReadOnlyList<string> Authors { get; init; }
    public required string Abstract { get; init; }
    public IReadOnlyList<string>? Categories { get; init; }
    public string? Comments { get; init; }
    public string? JournalRef { get; init; }
    public string? Doi { get; init; }
    public string? License { get; init; }
    public string? ReportNo { get; init; }
    public string? ArxivSubmitter { get; init; }
    public DateOnly? PublishedOn { get; init; }
    public DateOnly? UpdatedOn { get; init; }
    public IReadOnlyList<PaperVersion>? Versions { get; init; }
    public string? CodeUrl { get; init; }
    public string? ProjectUrl { get; init; }
    public int? Upvotes { get; init; }
    public int? NumComments { get; init; }
    public Submitter? SubmittedBy { get; init; }
    /// <summary>arXiv says the paper was withdrawn by its authors.</summary>
    public bool Withdrawn { get; init; }

    /// <summary>The day this record lists the paper on, if the source has listing days.</summary>
    public DateOnly? ListingDay { get; init; }
    /// <summary>Position within the listing day (the line number), for arXiv's listing order.</summary>
    public int ListingPosition { get; init; }
    /// <summary>Which kind of source this came from (for provenance).</summary>
    public required string Source { get; init; }

    /// <summary>The date this record speaks for: a newer record overrides an older one, never the reverse.</summary>
    public DateOnly? AsOf => UpdatedOn ?? ListingDay ?? PublishedOn;

    private string? _hash;

    /// <summary>
    /// A fingerprint of the record's content (listing day excluded). A record whose fingerprint was applied
    /// before changes nothing: that is what makes importing the same files twice a no-op.
    /// </summary>
    public string Hash => _hash ??= ComputeHash();

    private string ComputeHash()
    {
        var content = new
        {
            Id, Version, Title, Authors, Abstract, Categories, Comments, JournalRef, Doi, License, ReportNo,
            ArxivSubmitter, PublishedOn, UpdatedOn, Versions, CodeUrl, ProjectUrl, Upvotes, NumComments, SubmittedBy, Withdrawn,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(content);
        return Convert.ToHexStringLower(SHA256.HashData(bytes))[..32];
    }
}

/// <summary>Limits that keep one absurd record from filling the database; arXiv's own are far lower.</summary>
public static class RecordLimits
{
    public const int MaxTitle = 1_000;
    public const int MaxAbstract = 20_000;
    public const int MaxAuthors = 10_000;
    public const int MaxField = 4_000;

    /// <summary>Returns why the record cannot be stored, or null when it can.</summary>
    public static string? Check(IncomingPaper p)
    {
        if (p.Title.Length == 0)
            return "title is empty";
        if (p.Title.Length > MaxTitle)
            return $"title is {p.Title.Length:N0} characters; the limit is {MaxTitle:N0}";
        if (p.Abstract.Length > MaxAbstract)
            return $"abstract is {p.Abstract.Length:N0} characters; the limit is {MaxAbstract:N0}";
        if (p.Authors.Count > MaxAuthors)
            return $"{p.Authors.Count:N0} authors; the limit is {MaxAuthors:N0}";
        foreach (var (name, value) in new[] { ("comments", p.Comments), ("journal-ref", p.JournalRef), ("doi", p.Doi), ("license", p.License), ("githubRepo", p.CodeUrl), ("projectPage", p.ProjectUrl) })
        {
            if (value is { Length: > MaxField })
                return $"{name} is {value.Length:N0} characters; the limit is {MaxField:N0}";
        }
        foreach (var (name, value) in new[] { ("githubRepo", p.CodeUrl), ("projectPage", p.ProjectUrl) })
        {
            // Links are rendered as hrefs: only http(s) may pass, never javascript: or data:.
            if (value is not null && !(Uri.TryCreate(value, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)))
                return $"{name} is not an http(s) URL";
        }
        return null;
    }
}
