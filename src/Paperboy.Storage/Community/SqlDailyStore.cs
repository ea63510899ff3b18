using System.Data.Common;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;

namespace Paperboy.Storage.Community;

/// <summary>The Daily (featured papers), votes and the trending feed on either provider.</summary>
public sealed class SqlDailyStore(SqlContext db) : IDailyStore, IVoteStore, ITrendingStore
{
    public async Task<FeatureResult> FeatureAsync(string paperId, DateOnly day, User member, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The condition on daily_day makes "once per paper" hold when two members submit at the same moment.
        var changed = await db.ExecuteAsync(conn, tx, """
            UPDATE papers SET daily_day = @day, submitted_on_daily_at = @at, submitted_by = @handle, submitted_by_fullname = @name, submitted_by_user_id = @user
            WHERE id = @id AND daily_day IS NULL
            """, ct, ("@day", day), ("@at", at), ("@handle", member.Handle), ("@name", member.DisplayName), ("@user", member.Id), ("@id", paperId));
        if (changed == 1)
            await db.BumpChangeStampAsync(conn, tx, ct);
        var paper = await PaperAsync(conn, tx, paperId, ct);
        await tx.CommitAsync(ct);
        return new(paper is null ? FeatureOutcome.UnknownPaper : changed == 1 ? FeatureOutcome.Featured : FeatureOutcome.AlreadyFeatured, paper);
    }

    private async Task<PaperRecord?> PaperAsync(DbConnection conn, DbTransaction? tx, string id, CancellationToken ct) =>
        (await db.QueryAsync(conn, tx, $"SELECT {db.PaperColumns("p")} FROM papers p WHERE p.id = @id", r => PaperRows.Read(r), ct, ("@id", id))).FirstOrDefault();

    public async Task<ListingPage> GetDailyAsync(ListingQuery query, CancellationToken ct = default)
    {
        var where = "p.daily_day >= @from AND p.daily_day <= @to" +
            (query.Category is null ? "" : " AND EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper_id = p.id AND c.category = @category)");
        var order = query.Sort == ListingSort.Trending
            ? "p.upvotes + p.local_upvotes DESC, p.daily_day DESC, p.submitted_on_daily_at, p.id"
            : "p.daily_day DESC, p.submitted_on_daily_at DESC, p.id";
        var parameters = new List<(string, object?)> { ("@from", query.Period.From), ("@to", query.Period.To), ("@limit", query.Limit), ("@offset", query.Offset) };
        if (query.Category is not null)
            parameters.Add(("@category", query.Category));
        await using var conn = await db.Open(ct);
        var items = await db.QueryAsync(conn, null, $"SELECT {db.PaperColumns("p")} FROM papers p WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset",
            r => PaperRows.Read(r), ct, [.. parameters]);
        var total = SqlContext.Int(await db.ScalarAsync(conn, null, $"SELECT COUNT(*) FROM papers p WHERE {where}", ct, [.. parameters]));
        return new ListingPage(total, items.Select(p => new ListedPaper(p, p.DailyDay!.Value)).ToList());
    }

    public async Task<(DateOnly? Previous, DateOnly? Next)> GetNeighbourDailyDaysAsync(ListingPeriod period, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return (await db.QueryAsync(conn, null,
            "SELECT (SELECT MAX(daily_day) FROM papers WHERE daily_day < @from), (SELECT MIN(daily_day) FROM papers WHERE daily_day > @to)",
            r => (PaperRows.ReadDate(r, 0), PaperRows.ReadDate(r, 1)), ct, ("@from", period.From), ("@to", period.To)))[0];
    }

    public async Task<DateOnly?> GetLatestDailyDayAsync(CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return (await db.QueryAsync(conn, null, "SELECT MAX(daily_day) FROM papers", r => PaperRows.ReadDate(r, 0), ct))[0];
    }

    public async Task<IReadOnlyList<PaperRecord>> GetSubmittedByAsync(long userId, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, $"SELECT {db.PaperColumns("p")} FROM papers p WHERE p.submitted_by_user_id = @user ORDER BY p.submitted_on_daily_at DESC LIMIT @limit",
            r => PaperRows.Read(r), ct, ("@user", userId), ("@limit", limit));
    }

    public async Task<VoteResult> UpvoteAsync(string paperId, long userId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The primary key (paper, member) decides: a second vote inserts nothing, so the count moves once.
        var added = await db.ExecuteAsync(conn, tx, """
            INSERT INTO votes(paper_id, user_id, created_at)
            SELECT id, @user, @at FROM papers WHERE id = @id
            ON CONFLICT DO NOTHING
            """, ct, ("@id", paperId), ("@user", userId), ("@at", at));
        var count = added == 1
            ? await db.ScalarAsync(conn, tx, "UPDATE papers SET local_upvotes = local_upvotes + 1 WHERE id = @id RETURNING upvotes + local_upvotes", ct, ("@id", paperId))
            : await db.ScalarAsync(conn, tx, "SELECT upvotes + local_upvotes FROM papers WHERE id = @id", ct, ("@id", paperId));
        if (added == 1)
        {
            await db.BumpChangeStampAsync(conn, tx, ct);
            await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        }
        await tx.CommitAsync(ct);
        return count is null ? new(VoteOutcome.UnknownPaper, 0, false) : new(VoteOutcome.Done, SqlContext.Int(count), true);
    }

    public async Task<VoteResult> WithdrawAsync(string paperId, long userId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var removed = await db.ExecuteAsync(conn, tx, "DELETE FROM votes WHERE paper_id = @id AND user_id = @user", ct, ("@id", paperId), ("@user", userId));
        var count = removed == 1
            ? await db.ScalarAsync(conn, tx, "UPDATE papers SET local_upvotes = local_upvotes - 1 WHERE id = @id RETURNING upvotes + local_upvotes", ct, ("@id", paperId))
            : await db.ScalarAsync(conn, tx, "SELECT upvotes + local_upvotes FROM papers WHERE id = @id", ct, ("@id", paperId));
        if (removed == 1)
        {
            await db.BumpChangeStampAsync(conn, tx, ct);
            await db.TouchSignalsAsync(conn, tx, userId, DateTimeOffset.UtcNow, ct); // a withdrawal has no instant of its own
        }
        await tx.CommitAsync(ct);
        return count is null ? new(VoteOutcome.UnknownPaper, 0, false) : new(VoteOutcome.Done, SqlContext.Int(count), false);
    }

    public async Task<IReadOnlyList<string>> GetVotedAsync(long userId, IReadOnlyList<string> paperIds, CancellationToken ct = default)
    {
        if (paperIds.Count == 0)
            return [];
        await using var conn = await db.Open(ct);
        var names = paperIds.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var parameters = paperIds.Select((id, i) => (names[i], (object?)id)).Append(("@user", userId)).ToArray();
        return await db.QueryAsync(conn, null, $"SELECT paper_id FROM votes WHERE user_id = @user AND paper_id IN ({string.Join(", ", names)})", r => r.GetString(0), ct, parameters);
    }

    public async Task<IReadOnlyList<PaperRecord>> GetUpvotedAsync(long userId, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, $"SELECT {db.PaperColumns("p")} FROM votes v JOIN papers p ON p.id = v.paper_id WHERE v.user_id = @user ORDER BY v.created_at DESC LIMIT @limit",
            r => PaperRows.Read(r), ct, ("@user", userId), ("@limit", limit));
    }

    public async Task<IReadOnlyList<PaperActivity>> GetActivityAsync(DateOnly since, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        var papers = await db.QueryAsync(conn, null, $"SELECT {db.PaperColumns("p")} FROM papers p WHERE p.daily_day >= @since", r => PaperRows.Read(r), ct, ("@since", since));
        var votes = await db.QueryAsync(conn, null, """
            SELECT v.paper_id, v.created_at FROM votes v JOIN papers p ON p.id = v.paper_id JOIN users u ON u.id = v.user_id
            WHERE p.daily_day >= @since AND u.banned_at IS NULL
            """, r => (r.GetString(0), PaperRows.ReadInstant(r, 1)!.Value), ct, ("@since", since));
        var comments = await db.QueryAsync(conn, null, $"""
            SELECT c.paper_id, c.created_at FROM comments c JOIN papers p ON p.id = c.paper_id LEFT JOIN users u ON u.id = c.user_id
            WHERE p.daily_day >= @since AND {SqlCommentStore.Visible}
            """, r => (r.GetString(0), PaperRows.ReadInstant(r, 1)!.Value), ct, ("@since", since));
        var votesBy = votes.ToLookup(v => v.Item1, v => v.Item2);
        var commentsBy = comments.ToLookup(c => c.Item1, c => c.Item2);
        return papers.Select(p => new PaperActivity(p, votesBy[p.Id].ToList(), commentsBy[p.Id].ToList())).ToList();
    }
}
