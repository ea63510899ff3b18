using Paperboy.Core.Library;
using Paperboy.Web.Papers;

namespace Paperboy.Web.Library;

public sealed record TagsRequest(IReadOnlyList<string>? Tags);

public sealed record CollectionRequest(string? Name, string? Description, bool? Public);

public sealed record ItemRequest(string? PaperId, string? Note, int? Position);

public sealed record OrderRequest(IReadOnlyList<string>? PaperIds);

/// <summary>What a member has done with a paper: its buttons' state.</summary>
public sealed record ApiMarks(string Id, bool Saved, IReadOnlyList<string> Tags, bool NotInterested, IReadOnlyList<long> Collections)
{
    public static ApiMarks From(PaperMarks m) => new(m.PaperId, m.Saved, m.Tags, m.NotInterested, m.Collections);
}

public sealed record ApiSavedPaper(ApiPaper Paper, DateTimeOffset SavedAt, IReadOnlyList<string> Tags);

public sealed record ApiLibraryPage(int Total, IReadOnlyList<ApiSavedPaper> Items);

public sealed record ApiCollection(long Id, string Owner, string Name, string Slug, string? Description, bool Public, int Papers, string Url, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ApiCollection From(Collection c) =>
        new(c.Id, c.OwnerHandle, c.Name, c.Slug, c.Description, c.IsPublic, c.Papers, LibraryUrls.Collection(c), c.CreatedAt, c.UpdatedAt);
}

public sealed record ApiCollectionItem(int Position, string? Note, DateTimeOffset AddedAt, ApiPaper Paper);

public sealed record ApiCollectionWithItems(ApiCollection Collection, IReadOnlyList<ApiCollectionItem> Items);

public sealed record ApiImportEntry(string Key, int Line, string? ArxivId, string Outcome, string? SubmitUrl);

public sealed record ApiImportProblem(int Line, string Message, bool Skipped);

/// <summary>An import's report: the counts, then each entry and each problem with its line.</summary>
public sealed record ApiImportReport(int Saved, int AlreadySaved, int NotInPaperboy, int NoArxivId, int Duplicates, IReadOnlyList<ApiImportEntry> Entries, IReadOnlyList<ApiImportProblem> Problems)
{
    public static ApiImportReport From(LibraryImportReport r) => new(
        r.Count(ImportOutcome.Saved), r.Count(ImportOutcome.AlreadySaved), r.Count(ImportOutcome.NotInPaperboy), r.Count(ImportOutcome.NoArxivId), r.Count(ImportOutcome.Duplicate),
        r.Entries.Select(e => new ApiImportEntry(e.Key, e.Line, e.PaperId, Outcome(e.Outcome), e.Outcome == ImportOutcome.NotInPaperboy ? "/papers/submit?id=" + e.PaperId : null)).ToList(),
        r.Problems.Select(p => new ApiImportProblem(p.Line, p.Message, p.Skipped)).ToList());

    public static string Outcome(ImportOutcome o) => o switch
    {
        ImportOutcome.Saved => "saved",
        ImportOutcome.AlreadySaved => "already-saved",
        ImportOutcome.NotInPaperboy => "not-in-paperboy",
        ImportOutcome.NoArxivId => "no-arxiv-id",
        _ => "duplicate",
    };
}

/// <summary>The library's addresses, in one place for pages, API answers and exports.</summary>
public static class LibraryUrls
{
    public static string Collection(Collection c) => $"/collections/{c.OwnerHandle}/{c.Slug}";

    public static string PaperActions(string paperId) => "/library/papers/" + paperId;

    public static string PaperExport(string paperId, string extension) => $"/papers/{paperId}/export.{extension}";

    public static string LibraryExport(string extension, string? tag) =>
        $"/library/export.{extension}" + (tag is null ? "" : "?tag=" + Uri.EscapeDataString(tag));

    public static string Library(string? tag) => "/library" + (tag is null ? "" : "?tag=" + Uri.EscapeDataString(tag));
}

/// <summary>The library's buttons under a paper card or on a paper page.</summary>
public sealed record LibraryActions(string PaperId, string ReturnUrl);
