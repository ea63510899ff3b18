using Paperboy.Core.Papers;

namespace Paperboy.Core.Import;

public enum MergeKind { Added, Updated, Unchanged }

public sealed record MergeResult(MergeKind Kind, PaperRecord Paper, PaperRevision? Revision);

/// <summary>
/// Decides what one incoming record does to the stored paper. Pure: the stores only carry out the result,
/// so both providers behave the same.
/// </summary>
public static class PaperMerger
{
    public static MergeResult Merge(PaperRecord? current, IncomingPaper rec, DateTimeOffset now)
    {
        if (current is null)
            return new(MergeKind.Added, Create(rec), null);

        var incomingIsNewer = (rec.AsOf ?? DateOnly.MinValue) >= (current.AsOf ?? DateOnly.MinValue);
        var merged = incomingIsNewer ? Overlay(current, rec) : FillGaps(current, rec);

        PaperRevision? revision = null;
        if (!SameText(current.Title, current.Authors, current.Abstract, rec.Title, rec.Authors, rec.Abstract))
        {
            // Whichever text loses is kept: the replaced current one, or the older record's.
            revision = incomingIsNewer
                ? new PaperRevision(current.AsOf, current.Version, current.Title, current.Authors, current.Abstract, now)
                : new PaperRevision(rec.AsOf, rec.Version, rec.Title, rec.Authors, rec.Abstract, now);
            if (incomingIsNewer && rec.UpdatedOn is null && rec.ListingDay is { } day)
                merged = merged with { UpdatedOn = Max(merged.UpdatedOn, day) };
        }
        var kind = revision is not null || !Equivalent(current, merged) ? MergeKind.Updated : MergeKind.Unchanged;
        return new(kind, kind == MergeKind.Unchanged ? current : merged, revision);
    }

    private static PaperRecord Create(IncomingPaper r)
    {
        var versions = r.Versions ?? [];
        var firstVersion = versions.Where(v => v.CreatedAt is not null).OrderBy(v => v.Version).FirstOrDefault();
        var published = Min(Min(r.PublishedOn, r.ListingDay), firstVersion?.CreatedAt is { } c ? DateOnly.FromDateTime(c.UtcDateTime) : null);
        return new PaperRecord
        {
            Id = r.Id,
            Version = r.Version ?? (versions.Count > 0 ? versions.Max(v => v.Version) : null),
            Title = r.Title,
            Authors = r.Authors,
            Abstract = r.Abstract,
            Categories = r.Categories ?? [],
            Comments = r.Comments,
            JournalRef = r.JournalRef,
            Doi = r.Doi,
            License = r.License,
            ReportNo = r.ReportNo,
            ArxivSubmitter = r.ArxivSubmitter,
            PublishedOn = published,
            UpdatedOn = r.UpdatedOn ?? r.ListingDay ?? published,
            AsOf = r.AsOf,
            Versions = versions.OrderBy(v => v.Version).ToList(),
            CodeUrl = r.CodeUrl,
            ProjectUrl = r.ProjectUrl,
            Upvotes = r.Upvotes ?? 0,
            NumComments = r.NumComments ?? 0,
            SubmittedBy = r.SubmittedBy,
            DailyDay = ImportedDailyDay(r),
            Status = r.Withdrawn ? PaperStatus.Withdrawn : null,
        };
    }

    /// <summary>A newer record: its fields win wherever it has them.</summary>
    private static PaperRecord Overlay(PaperRecord c, IncomingPaper r) => c with
    {
        Version = MaxInt(c.Version, r.Version, r.Versions),
        Title = r.Title,
        Authors = r.Authors,
        Abstract = r.Abstract,
        Categories = r.Categories is { Count: > 0 } cats ? cats : c.Categories,
        Comments = r.Comments ?? c.Comments,
        JournalRef = r.JournalRef ?? c.JournalRef,
        Doi = r.Doi ?? c.Doi,
        License = r.License ?? c.License,
        ReportNo = r.ReportNo ?? c.ReportNo,
        ArxivSubmitter = r.ArxivSubmitter ?? c.ArxivSubmitter,
        PublishedOn = Min(c.PublishedOn, r.PublishedOn),
        UpdatedOn = Max(c.UpdatedOn, r.UpdatedOn),
        AsOf = Max(c.AsOf, r.AsOf),
        Versions = UnionVersions(c.Versions, r.Versions),
        CodeUrl = r.CodeUrl ?? c.CodeUrl,
        ProjectUrl = r.ProjectUrl ?? c.ProjectUrl,
        Upvotes = r.Upvotes ?? c.Upvotes,
        NumComments = r.NumComments ?? c.NumComments,
        SubmittedBy = r.SubmittedBy ?? c.SubmittedBy,
        DailyDay = c.DailyDay ?? ImportedDailyDay(r),
        // A newer arXiv record speaks for the paper's state; a listing or HF record does not know of withdrawals.
        Status = r.Withdrawn ? PaperStatus.Withdrawn : r.Source is "oai-pmh" or "arxiv-api" ? null : c.Status,
    };

    /// <summary>An older record: it only fills what the stored paper lacks.</summary>
    private static PaperRecord FillGaps(PaperRecord c, IncomingPaper r) => c with
    {
        Version = MaxInt(c.Version, r.Version, r.Versions),
        Categories = c.Categories.Count > 0 ? c.Categories : r.Categories ?? [],
        Comments = c.Comments ?? r.Comments,
        JournalRef = c.JournalRef ?? r.JournalRef,
        Doi = c.Doi ?? r.Doi,
        License = c.License ?? r.License,
        ReportNo = c.ReportNo ?? r.ReportNo,
        ArxivSubmitter = c.ArxivSubmitter ?? r.ArxivSubmitter,
        PublishedOn = Min(c.PublishedOn, r.PublishedOn),
        UpdatedOn = Max(c.UpdatedOn, r.UpdatedOn),
        Versions = UnionVersions(c.Versions, r.Versions),
        CodeUrl = c.CodeUrl ?? r.CodeUrl,
        ProjectUrl = c.ProjectUrl ?? r.ProjectUrl,
        SubmittedBy = c.SubmittedBy ?? r.SubmittedBy,
        DailyDay = c.DailyDay ?? ImportedDailyDay(r),
    };

    /// <summary>A record with a submitter (Hugging Face's daily_papers) features the paper on its day; the first feature stays.</summary>
    private static DateOnly? ImportedDailyDay(IncomingPaper r) => r.SubmittedBy is not null ? r.ListingDay : null;

    private static IReadOnlyList<PaperVersion> UnionVersions(IReadOnlyList<PaperVersion> a, IReadOnlyList<PaperVersion>? b)
    {
        if (b is null || b.Count == 0)
            return a;
        var byNumber = a.ToDictionary(v => v.Version);
        foreach (var v in b)
        {
            if (!byNumber.TryGetValue(v.Version, out var old) || (old.CreatedAt is null && v.CreatedAt is not null))
                byNumber[v.Version] = v;
        }
        return byNumber.Values.OrderBy(v => v.Version).ToList();
    }

    private static int? MaxInt(int? current, int? incoming, IReadOnlyList<PaperVersion>? versions)
    {
        int? best = current;
        if (incoming is { } i && (best is null || i > best))
            best = i;
        if (versions is { Count: > 0 } && versions.Max(v => v.Version) is var m && (best is null || m > best))
            best = m;
        return best;
    }

    public static bool SameText(string t1, IReadOnlyList<string> a1, string ab1, string t2, IReadOnlyList<string> a2, string ab2) =>
        t1 == t2 && ab1 == ab2 && a1.SequenceEqual(a2);

    private static bool Equivalent(PaperRecord a, PaperRecord b) =>
        a with { Authors = [], Categories = [], Versions = [] } == b with { Authors = [], Categories = [], Versions = [] }
        && a.Authors.SequenceEqual(b.Authors) && a.Categories.SequenceEqual(b.Categories) && a.Versions.SequenceEqual(b.Versions);

    internal static DateOnly? Min(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    internal static DateOnly? Max(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : (a > b ? a : b);
}
