using System.Globalization;
using System.Text.Json.Serialization;
using Paperboy.Core.Papers;

namespace Paperboy.Web.Papers;

// The shapes of Hugging Face's /api/daily_papers, so its clients work against Paperboy unchanged. Every key HF always
// writes is written here too (null, false or empty where Paperboy has no value: a client that reads item["submittedBy"]
// must not fail); keys HF leaves out when absent (githubRepo, projectPage, organization, mediaUrls) are left out the
// same way. Paperboy's extras are additive.

public sealed record ApiAuthor(
    string Name,
    [property: JsonPropertyName("_id")] string? Id = null,
    bool Hidden = false);

/// <summary>HF's user object (submitter): Paperboy knows the handle and the full name.</summary>
public sealed record ApiUser(string Name, string? Fullname, string Type = "user")
{
    [JsonPropertyName("_id")] public string? Id => null;
    public string? AvatarUrl => null;
    public string User => Name;
    public bool IsPro => false;
    public bool IsHf => false;
    public bool IsHfAdmin => false;
    public bool IsMod => false;
    public bool IsUserFollowing => false;
}

public sealed record ApiVersion(int Version, DateTimeOffset? Created);

public record ApiPaper(
    string Id,
    IReadOnlyList<ApiAuthor> Authors,
    string? PublishedAt,
    string? SubmittedOnDailyAt,
    ApiUser? SubmittedOnDailyBy,
    string Title,
    string Summary,
    int Upvotes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GithubRepo,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProjectPage,
    IReadOnlyList<string> Categories,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Version,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Comments,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? JournalRef,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Doi,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? License,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AbsUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PdfUrl)
{
    // HF's discussion and AI-summary fields: Paperboy has neither (yet), so null and empty.
    public string? DiscussionId => null;
    [JsonPropertyName("ai_summary")] public string? AiSummary => null;
    [JsonPropertyName("ai_summary_model")] public string? AiSummaryModel => null;
    [JsonPropertyName("ai_keywords")] public IReadOnlyList<string> AiKeywords => [];

    public static ApiPaper From(PaperRecord p, DateOnly? listingDay) => new(
        p.Id,
        p.Authors.Select(a => new ApiAuthor(a)).ToList(),
        Iso(p.PublishedOn),
        p.FeaturedAt is { } featured ? featured.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : Iso(listingDay),
        p.SubmittedBy is { } by ? new ApiUser(by.Name, by.Fullname) : null,
        p.Title,
        p.Abstract,
        p.TotalUpvotes,
        p.CodeUrl,
        p.ProjectUrl,
        p.Categories,
        p.Version,
        p.Comments,
        p.JournalRef,
        p.Doi,
        p.License,
        Iso(p.UpdatedOn),
        p.AbsUrl,
        p.PdfUrl);

    /// <summary>HF writes instants as <c>2025-03-20T00:00:00.000Z</c>.</summary>
    public static string? Iso(DateOnly? d) => d is { } day ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00.000Z" : null;
}

public sealed record ApiDailyPaper(
    ApiPaper Paper,
    string? PublishedAt,
    string Title,
    string Summary,
    int NumComments,
    ApiUser? SubmittedBy,
    bool IsAuthorParticipating = false)
{
    /// <summary>HF's social-card image; Paperboy makes none yet.</summary>
    public string? Thumbnail => null;

    public static ApiDailyPaper From(ListedPaper item)
    {
        var paper = ApiPaper.From(item.Paper, item.ListingDay);
        return new(paper, paper.PublishedAt, item.Paper.Title, item.Paper.Abstract, item.Paper.TotalComments, paper.SubmittedOnDailyBy);
    }
}

/// <summary>
/// One paper as HF's /api/papers/{id} answers: the paper object itself, plus what a paper page shows (every listing
/// day, the versions and the older texts) as added keys.
/// </summary>
public sealed record ApiPaperDetails : ApiPaper
{
    public ApiPaperDetails(ApiPaper paper, IReadOnlyList<string> listingDays, IReadOnlyList<ApiVersion> versions, IReadOnlyList<ApiRevision> revisions)
        : base(paper) => (ListingDays, Versions, Revisions) = (listingDays, versions, revisions);

    public IReadOnlyList<string> ListingDays { get; }
    public IReadOnlyList<ApiVersion> Versions { get; }
    public IReadOnlyList<ApiRevision> Revisions { get; }
}

public sealed record ApiRevision(string? AsOf, int? Version, string Title, IReadOnlyList<string> Authors, string Summary);

/// <summary>What a paper card shows: the paper, whether to print its day, whether it is on a Daily (submitter, comments).</summary>
public sealed record PaperCard(ListedPaper Item, bool ShowDay, bool Daily);

/// <summary>One comment as the paper page draws it, for the member looking (null: a reader).</summary>
public sealed record CommentView(Core.Community.Comment Comment, Core.Accounts.User? Member, DateTimeOffset Now);
