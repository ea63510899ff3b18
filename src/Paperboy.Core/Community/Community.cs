using Paperboy.Core.Accounts;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Community;

public enum FeatureOutcome { Featured, AlreadyFeatured, UnknownPaper }

/// <summary>What putting a paper on the Daily did; when it was featured before, the paper says on which day and by whom.</summary>
public sealed record FeatureResult(FeatureOutcome Outcome, PaperRecord? Paper);

/// <summary>The Daily: papers members put on a day's page.</summary>
public interface IDailyStore
{
    /// <summary>Features the paper on <paramref name="day"/> by the member, once per paper (the first feature stays).</summary>
    Task<FeatureResult> FeatureAsync(string paperId, DateOnly day, User member, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The featured papers of a period (by their Daily day), most upvoted first, or newest feature first.</summary>
    Task<ListingPage> GetDailyAsync(ListingQuery query, CancellationToken ct = default);

    /// <summary>The nearest days before and after the period with featured papers.</summary>
    Task<(DateOnly? Previous, DateOnly? Next)> GetNeighbourDailyDaysAsync(ListingPeriod period, CancellationToken ct = default);

    /// <summary>The latest day with featured papers.</summary>
    Task<DateOnly?> GetLatestDailyDayAsync(CancellationToken ct = default);

    /// <summary>The papers a member featured, newest first.</summary>
    Task<IReadOnlyList<PaperRecord>> GetSubmittedByAsync(long userId, int limit, CancellationToken ct = default);
}

public enum VoteOutcome { Done, UnknownPaper }

/// <summary>The paper's count after a vote or its withdrawal (imported and local together).</summary>
public sealed record VoteResult(VoteOutcome Outcome, int Upvotes, bool Voted);

/// <summary>Upvotes: one per member per paper, kept by a unique key; counts change in the same statement's transaction.</summary>
public interface IVoteStore
{
    Task<VoteResult> UpvoteAsync(string paperId, long userId, DateTimeOffset at, CancellationToken ct = default);

    Task<VoteResult> WithdrawAsync(string paperId, long userId, CancellationToken ct = default);

    /// <summary>Which of these papers the member has upvoted.</summary>
    Task<IReadOnlyList<string>> GetVotedAsync(long userId, IReadOnlyList<string> paperIds, CancellationToken ct = default);

    /// <summary>The member's upvoted papers, newest vote first.</summary>
    Task<IReadOnlyList<PaperRecord>> GetUpvotedAsync(long userId, int limit, CancellationToken ct = default);
}

/// <summary>A comment as pages show it. A deleted comment keeps its place (replies hang on it) without its text.</summary>
public sealed record Comment(
    long Id, string PaperId, long? ParentId, long? AuthorId, string? AuthorHandle, string? AuthorName,
    string Body, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt, bool Deleted, bool Hidden, bool AuthorBanned)
{
    public bool Visible => !Deleted && !Hidden && !AuthorBanned;
}

public enum CommentOutcome { Done, UnknownPaper, UnknownParent, NotFound, NotAllowed }

public sealed record CommentResult(CommentOutcome Outcome, Comment? Comment = null, string? Message = null);

/// <summary>A report waiting in the moderators' queue.</summary>
public sealed record CommentReport(Comment Comment, string PaperTitle, string ReporterHandle, string Reason, DateTimeOffset At);

public sealed record AuditEntry(long Id, DateTimeOffset At, string? ActorHandle, string Action, string Target, string? Detail);

/// <summary>Discussion: comments, replies one level deep, reports, moderation and its audit log.</summary>
public interface ICommentStore
{
    /// <summary>Adds a comment; a reply to a reply hangs on the same top-level comment (one level deep).</summary>
    Task<CommentResult> AddAsync(string paperId, long userId, long? parentId, string body, DateTimeOffset at, CancellationToken ct = default);

    Task<Comment?> GetAsync(long id, CancellationToken ct = default);

    /// <summary>Every comment of the paper, oldest first (hidden and deleted ones too: the page decides).</summary>
    Task<IReadOnlyList<Comment>> ListAsync(string paperId, CancellationToken ct = default);

    /// <summary>The member's visible comments, newest first.</summary>
    Task<IReadOnlyList<(Comment Comment, string PaperTitle)>> ListByUserAsync(long userId, int limit, CancellationToken ct = default);

    /// <summary>The author edits their own comment.</summary>
    Task<CommentResult> EditAsync(long id, long userId, string body, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The author deletes their own comment.</summary>
    Task<CommentResult> DeleteAsync(long id, long userId, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>An admin hides (or shows again) a comment; written to the audit log.</summary>
    Task<CommentResult> SetHiddenAsync(long id, bool hidden, long adminId, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>A member reports a comment (once per member and comment).</summary>
    Task<CommentResult> ReportAsync(long id, long userId, string reason, DateTimeOffset at, CancellationToken ct = default);

    Task<IReadOnlyList<CommentReport>> ListOpenReportsAsync(int limit, CancellationToken ct = default);

    /// <summary>Closes every open report of the comment (the admin dealt with it).</summary>
    Task ResolveReportsAsync(long commentId, long adminId, DateTimeOffset at, CancellationToken ct = default);

    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(int limit, CancellationToken ct = default);
}

/// <summary>Votes and comments with their times, for the trending score.</summary>
public sealed record PaperActivity(PaperRecord Paper, IReadOnlyList<DateTimeOffset> Votes, IReadOnlyList<DateTimeOffset> Comments);

public interface ITrendingStore
{
    /// <summary>Papers featured on or after <paramref name="since"/>'s day, with the times of their counted votes and visible comments.</summary>
    Task<IReadOnlyList<PaperActivity>> GetActivityAsync(DateOnly since, CancellationToken ct = default);
}
