using System.Globalization;
using System.Text.Json.Serialization;
using Paperboy.Core.Papers;

namespace Paperboy.Web.Api;

// The shapes of Hugging Face's /api/daily_papers, so its clients work against Paperboy unchanged.
// Fields HF has that Paperboy does not know are left out rather than faked; Paperboy's extras are additive.

public sealed record ApiAuthor(string Name);

public sealed record ApiUser(string Name, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Fullname, string Type = "user");

public sealed record ApiVersion(int Version, DateTimeOffset? Created);

public sealed record ApiPaper(
    string Id,
    IReadOnlyList<ApiAuthor> Authors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PublishedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SubmittedOnDailyAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApiUser? SubmittedOnDailyBy,
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
    public static ApiPaper From(PaperRecord p, DateOnly? listingDay) => new(
        p.Id,
        p.Authors.Select(a => new ApiAuthor(a)).ToList(),
        Iso(p.PublishedOn),
        Iso(listingDay),
        p.SubmittedBy is { } by ? new ApiUser(by.Name, by.Fullname) : null,
        p.Title,
        p.Abstract,
        p.Upvotes,
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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PublishedAt,
    string Title,
    string Summary,
    int NumComments,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApiUser? SubmittedBy,
    bool IsAuthorParticipating = false)
{
    public static ApiDailyPaper From(ListedPaper item)
    {
        var paper = ApiPaper.From(item.Paper, item.ListingDay);
        return new(paper, paper.PublishedAt, item.Paper.Title, item.Paper.Abstract, item.Paper.NumComments, paper.SubmittedOnDailyBy);
    }
}

/// <summary>The paper endpoint adds what a paper page shows: every listing day and the older texts.</summary>
public sealed record ApiPaperDetails(ApiPaper Paper, IReadOnlyList<string> ListingDays, IReadOnlyList<ApiVersion> Versions, IReadOnlyList<ApiRevision> Revisions);

public sealed record ApiRevision(string? AsOf, int? Version, string Title, IReadOnlyList<string> Authors, string Summary);
