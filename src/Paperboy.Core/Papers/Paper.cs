namespace Paperboy.Core.Papers;

/// <summary>One arXiv version of a paper, as arXiv reports it (v1 is the first submission).</summary>
public sealed record PaperVersion(int Version, DateTimeOffset? CreatedAt);

/// <summary>The person who submitted the paper to a daily page (Hugging Face's <c>submittedBy</c>).</summary>
public sealed record Submitter(string Name, string? Fullname);

/// <summary>
/// The current state of a paper: what the <c>papers</c> table holds. Lists are in arXiv's order
/// (authors as printed, primary category first).
/// </summary>
public sealed record PaperRecord
{
    public required string Id { get; init; }
    public int? Version { get; init; }
    public required string Title { get; init; }
    public required IReadOnlyList<string> Authors { get; init; }
    public required string Abstract { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = [];
    public string? Comments { get; init; }
    public string? JournalRef { get; init; }
    public string? Doi { get; init; }
    public string? License { get; init; }
    public string? ReportNo { get; init; }
    /// <summary>Who submitted the paper to arXiv (the bulk metadata's <c>submitter</c>).</summary>
    public string? ArxivSubmitter { get; init; }
    public DateOnly? PublishedOn { get; init; }
    public DateOnly? UpdatedOn { get; init; }
    /// <summary>The date of the newest source record applied: an older record never overwrites a newer one.</summary>
    public DateOnly? AsOf { get; init; }
    public IReadOnlyList<PaperVersion> Versions { get; init; } = [];
    public string? CodeUrl { get; init; }
    public string? ProjectUrl { get; init; }
    public int Upvotes { get; init; }
    public int NumComments { get; init; }
    public Submitter? SubmittedBy { get; init; }
    /// <summary>The day the paper is featured on the Daily (Hugging Face's <c>submittedOnDailyAt</c>); null when it never was.</summary>
    public DateOnly? DailyDay { get; init; }
    /// <summary>When a member put it on the Daily here (imported features know only the day).</summary>
    public DateTimeOffset? SubmittedOnDailyAt { get; init; }
    /// <summary>Upvotes cast here (counted by the database); <see cref="Upvotes"/> holds those imported with the paper.</summary>
    public int LocalUpvotes { get; init; }
    /// <summary>Visible comments written here; <see cref="NumComments"/> holds the imported count.</summary>
    public int LocalComments { get; init; }
    /// <summary>Null for a live paper; <see cref="PaperStatus.Withdrawn"/> or <see cref="PaperStatus.Deleted"/>.</summary>
    public string? Status { get; init; }

    /// <summary>Imported upvotes add to local ones.</summary>
    public int TotalUpvotes => Upvotes + LocalUpvotes;
    public int TotalComments => NumComments + LocalComments;
    public bool IsFeatured => DailyDay is not null;
    /// <summary>The instant it was featured, as Hugging Face writes it: the member's moment, or the day's start.</summary>
    public DateTimeOffset? FeaturedAt => SubmittedOnDailyAt ?? (DailyDay is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null);

    public string? PrimaryCategory => Categories.Count > 0 ? Categories[0] : null;
    public bool IsLocal => ArxivId.IsLocal(Id);
    public string? AbsUrl => ArxivId.AbsUrl(Id);
    public string? PdfUrl => ArxivId.PdfUrl(Id) is { } pdf && Version is { } v ? $"{pdf}v{v}" : ArxivId.PdfUrl(Id);
}

public static class PaperStatus
{
    /// <summary>The authors withdrew it; arXiv keeps the record.</summary>
    public const string Withdrawn = "withdrawn";
    /// <summary>arXiv removed the record (OAI-PMH <c>status="deleted"</c>).</summary>
    public const string Deleted = "deleted";
}

/// <summary>An older title/abstract/authors, kept when a newer record changed the text.</summary>
public sealed record PaperRevision(DateOnly? AsOf, int? Version, string Title, IReadOnlyList<string> Authors, string Abstract, DateTimeOffset ReplacedAt);

/// <summary>Everything a paper page shows.</summary>
public sealed record PaperDetails(PaperRecord Paper, IReadOnlyList<DateOnly> ListingDays, IReadOnlyList<PaperRevision> Revisions);

/// <summary>A paper as a listing shows it, with the day it was listed on.</summary>
public sealed record ListedPaper(PaperRecord Paper, DateOnly ListingDay);
