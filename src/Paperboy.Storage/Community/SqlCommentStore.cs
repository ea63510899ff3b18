using System.Data.Common;
using Paperboy.Core.Community;

namespace Paperboy.Storage.Community;

/// <summary>Comments, reports and the moderators' audit log on either provider.</summary>
public sealed class SqlCommentStore(SqlContext db) : ICommentStore
{
    /// <summary>A comment counts (and shows) when neither its author nor an admin took it away; <c>c</c> the comment, <c>u</c> its author.</summary>
    internal const string Visible = "c.deleted_at IS NULL AND c.hidden_at IS NULL AND (u.banned_at IS NULL)";

    /// <summary>The number of visible comments of the paper being updated (<c>papers.id</c>).</summary>
    internal const string VisibleCount =
        "SELECT COUNT(*) FROM comments c LEFT JOIN users u ON u.id = c.user_id WHERE c.paper_id = papers.id AND " + Visible;

    private const string Select = """
        SELECT c.id, c.paper_id, c.parent_id, c.user_id, u.handle, u.display_name, c.body, c.created_at, c.edited_at,
               c.deleted_at IS NOT NULL, c.hidden_at IS NOT NULL, u.banned_at IS NOT NULL
        FROM comments c LEFT JOIN users u ON u.id = c.user_id
        """;

    public async Task<CommentResult> AddAsync(string paperId, long userId, long? parentId, string body, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (await db.ScalarAsync(conn, tx, "SELECT 1 FROM papers WHERE id = @id", ct, ("@id", paperId)) is null)
            return new(CommentOutcome.UnknownPaper, Message: $"no paper {paperId}");
        if (parentId is { } pid)
        {
            var parent = (await db.QueryAsync(conn, tx, "SELECT paper_id, parent_id FROM comments WHERE id = @id", r => (r.GetString(0), SqlContext.NullableLong(r, 1)), ct, ("@id", pid))).FirstOrDefault();
            if (parent.Item1 != paperId)
                return new(CommentOutcome.UnknownParent, Message: $"parentId: no comment {pid} on paper {paperId}");
            parentId = parent.Item2 ?? pid; // one level deep: a reply to a reply joins the same thread
        }
        var id = SqlContext.Long(await db.ScalarAsync(conn, tx, """
            INSERT INTO comments(paper_id, user_id, parent_id, body, created_at) VALUES (@paper, @user, @parent, @body, @at) RETURNING id
            """, ct, ("@paper", paperId), ("@user", userId), ("@parent", parentId), ("@body", body), ("@at", at)));
        await db.ExecuteAsync(conn, tx, "UPDATE papers SET local_comments = local_comments + 1 WHERE id = @id", ct, ("@id", paperId));
        await db.BumpChangeStampAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        return new(CommentOutcome.Done, await GetAsync(id, ct));
    }

    public async Task<Comment?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return (await db.QueryAsync(conn, null, Select + " WHERE c.id = @id", Read, ct, ("@id", id))).FirstOrDefault();
    }

    public async Task<IReadOnlyList<Comment>> ListAsync(string paperId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, Select + " WHERE c.paper_id = @id ORDER BY c.id", Read, ct, ("@id", paperId));
    }

    public async Task<IReadOnlyList<(Comment Comment, string PaperTitle)>> ListByUserAsync(long userId, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, Select.Replace("\nFROM comments c", ", p.title\nFROM comments c JOIN papers p ON p.id = c.paper_id", StringComparison.Ordinal) +
            $" WHERE c.user_id = @user AND {Visible} ORDER BY c.id DESC LIMIT @limit", r => (Read(r), r.GetString(12)), ct, ("@user", userId), ("@limit", limit));
    }

    public async Task<CommentResult> EditAsync(long id, long userId, string body, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await db.ExecuteAsync(conn, tx, "UPDATE comments SET body = @body, edited_at = @at WHERE id = @id AND user_id = @user AND deleted_at IS NULL AND hidden_at IS NULL", ct,
            ("@body", body), ("@at", at), ("@id", id), ("@user", userId));
        if (changed == 0)
            return await RefusalAsync(conn, tx, id, ct);
        await db.BumpChangeStampAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        return new(CommentOutcome.Done, await GetAsync(id, ct));
    }

    public async Task<CommentResult> DeleteAsync(long id, long userId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The text goes with the deletion; the row stays so that replies keep their place.
        var paper = (await db.QueryAsync(conn, tx, "UPDATE comments SET deleted_at = @at, body = '' WHERE id = @id AND user_id = @user AND deleted_at IS NULL RETURNING paper_id, hidden_at IS NULL",
            r => (r.GetString(0), SqlContext.Bool(r, 1)), ct, ("@at", at), ("@id", id), ("@user", userId))).FirstOrDefault();
        if (paper.Item1 is null)
            return await RefusalAsync(conn, tx, id, ct);
        if (paper.Item2)
            await db.ExecuteAsync(conn, tx, "UPDATE papers SET local_comments = local_comments - 1 WHERE id = @id", ct, ("@id", paper.Item1));
        await db.BumpChangeStampAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        return new(CommentOutcome.Done, await GetAsync(id, ct));
    }

    public async Task<CommentResult> SetHiddenAsync(long id, bool hidden, long adminId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var paper = (await db.QueryAsync(conn, tx, hidden
                ? "UPDATE comments SET hidden_at = @at WHERE id = @id AND hidden_at IS NULL RETURNING paper_id"
                : "UPDATE comments SET hidden_at = NULL WHERE id = @id AND hidden_at IS NOT NULL RETURNING paper_id",
            r => r.GetString(0), ct, ("@at", at), ("@id", id))).FirstOrDefault();
        if (paper is null)
            return await GetAsync(id, ct) is { } c ? new(CommentOutcome.Done, c) : new(CommentOutcome.NotFound, Message: $"no comment {id}");
        await db.ExecuteAsync(conn, tx, $"UPDATE papers SET local_comments = ({VisibleCount}) WHERE id = @id", ct, ("@id", paper));
        if (hidden)
            await db.ExecuteAsync(conn, tx, "UPDATE comment_reports SET resolved_at = @at WHERE comment_id = @id AND resolved_at IS NULL", ct, ("@at", at), ("@id", id));
        await AuditAsync(db, conn, tx, adminId, hidden ? "hide-comment" : "show-comment", $"comment:{id}", null, at, ct);
        await db.BumpChangeStampAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        return new(CommentOutcome.Done, await GetAsync(id, ct));
    }

    public async Task<CommentResult> ReportAsync(long id, long userId, string reason, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (await db.ScalarAsync(conn, tx, "SELECT 1 FROM comments WHERE id = @id AND deleted_at IS NULL", ct, ("@id", id)) is null)
            return new(CommentOutcome.NotFound, Message: $"no comment {id}");
        await db.ExecuteAsync(conn, tx, "INSERT INTO comment_reports(comment_id, user_id, reason, created_at) VALUES (@id, @user, @reason, @at) ON CONFLICT DO NOTHING", ct,
            ("@id", id), ("@user", userId), ("@reason", reason), ("@at", at));
        await tx.CommitAsync(ct);
        return new(CommentOutcome.Done, await GetAsync(id, ct));
    }

    public async Task<IReadOnlyList<CommentReport>> ListOpenReportsAsync(int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        var select = Select.Replace("\nFROM comments c", ", p.title, ru.handle, r.reason, r.created_at\nFROM comment_reports r JOIN comments c ON c.id = r.comment_id JOIN papers p ON p.id = c.paper_id JOIN users ru ON ru.id = r.user_id", StringComparison.Ordinal);
        return await db.QueryAsync(conn, null, select + " WHERE r.resolved_at IS NULL ORDER BY r.created_at LIMIT @limit",
            r => new CommentReport(Read(r), r.GetString(12), r.GetString(13), r.GetString(14), PaperRows.ReadInstant(r, 15)!.Value), ct, ("@limit", limit));
    }

    public async Task ResolveReportsAsync(long commentId, long adminId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (await db.ExecuteAsync(conn, tx, "UPDATE comment_reports SET resolved_at = @at WHERE comment_id = @id AND resolved_at IS NULL", ct, ("@at", at), ("@id", commentId)) > 0)
            await AuditAsync(db, conn, tx, adminId, "dismiss-reports", $"comment:{commentId}", null, at, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, "SELECT a.id, a.at, u.handle, a.action, a.target, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id DESC LIMIT @limit",
            r => new AuditEntry(SqlContext.Long(r.GetValue(0)), PaperRows.ReadInstant(r, 1)!.Value, PaperRows.NullableString(r, 2), r.GetString(3), r.GetString(4), PaperRows.NullableString(r, 5)), ct, ("@limit", limit));
    }

    internal static Task AuditAsync(SqlContext db, DbConnection conn, DbTransaction tx, long actorId, string action, string target, string? detail, DateTimeOffset at, CancellationToken ct) =>
        db.ExecuteAsync(conn, tx, "INSERT INTO audit_log(at, actor_id, action, target, detail) VALUES (@at, @actor, @action, @target, @detail)", ct,
            ("@at", at), ("@actor", actorId), ("@action", action), ("@target", target), ("@detail", detail));

    private async Task<CommentResult> RefusalAsync(DbConnection conn, DbTransaction tx, long id, CancellationToken ct)
    {
        var exists = await db.ScalarAsync(conn, tx, "SELECT 1 FROM comments WHERE id = @id AND deleted_at IS NULL", ct, ("@id", id));
        return exists is null
            ? new(CommentOutcome.NotFound, Message: $"no comment {id}")
            : new(CommentOutcome.NotAllowed, Message: "only its author can change a comment, and not once it is hidden");
    }

    private static Comment Read(DbDataReader r) => new(
        SqlContext.Long(r.GetValue(0)), r.GetString(1), SqlContext.NullableLong(r, 2), SqlContext.NullableLong(r, 3),
        PaperRows.NullableString(r, 4), PaperRows.NullableString(r, 5), r.GetString(6),
        PaperRows.ReadInstant(r, 7)!.Value, PaperRows.ReadInstant(r, 8), SqlContext.Bool(r, 9), SqlContext.Bool(r, 10), SqlContext.Bool(r, 11));
}
