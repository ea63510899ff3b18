using System.Globalization;
using System.Text.Json;
using Paperboy.Core.Recommend;
using Paperboy.Storage.Community;

namespace Paperboy.Storage.Recommend;

/// <summary>"For you"'s own rows on either provider: members' feed keys, picked categories and the nightly pass's lists.</summary>
public sealed class SqlForYouStore(SqlContext db) : IForYouStore
{
    public async Task<string> GetOrCreateFeedKeyAsync(long userId, string fresh, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        // Two first visits at once: one insert wins and both read its key.
        await db.ExecuteAsync(conn, null, "INSERT INTO feed_keys(user_id, feed_key, created_at) VALUES (@user, @key, @at) ON CONFLICT (user_id) DO NOTHING", ct,
            ("@user", userId), ("@key", fresh), ("@at", at));
        return (string)(await db.ScalarAsync(conn, null, "SELECT feed_key FROM feed_keys WHERE user_id = @user", ct, ("@user", userId)))!;
    }

    public async Task<string?> GetFeedKeyAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return (string?)await db.ScalarAsync(conn, null, "SELECT feed_key FROM feed_keys WHERE user_id = @user", ct, ("@user", userId));
    }

    public async Task SetFeedKeyAsync(long userId, string key, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await db.ExecuteAsync(conn, null, """
            INSERT INTO feed_keys(user_id, feed_key, created_at) VALUES (@user, @key, @at)
            ON CONFLICT (user_id) DO UPDATE SET feed_key = excluded.feed_key, created_at = excluded.created_at
            """, ct, ("@user", userId), ("@key", key), ("@at", at));
    }

    public async Task<IReadOnlyList<string>> GetCategoriesAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, "SELECT category FROM member_categories WHERE user_id = @user ORDER BY category", r => r.GetString(0), ct, ("@user", userId));
    }

    public async Task SetCategoriesAsync(long userId, IReadOnlyList<string> categories, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await db.ExecuteAsync(conn, tx, "DELETE FROM member_categories WHERE user_id = @user", ct, ("@user", userId));
        foreach (var category in categories.Distinct(StringComparer.Ordinal))
            await db.ExecuteAsync(conn, tx, "INSERT INTO member_categories(user_id, category, chosen_at) VALUES (@user, @category, @at)", ct,
                ("@user", userId), ("@category", category), ("@at", at));
        // Picks are signals too: the nightly pass looks at whose changed.
        await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<(long UserId, DateTimeOffset ChangedAt)>> ListSignalMembersAsync(long afterId, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, "SELECT user_id, changed_at FROM signal_changes WHERE user_id > @after ORDER BY user_id LIMIT @limit",
            r => (SqlContext.Long(r.GetValue(0)), PaperRows.ReadInstant(r, 1)!.Value), ct, ("@after", afterId), ("@limit", limit));
    }

    public async Task<DateTimeOffset?> GetSignalsChangedAtAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        var rows = await db.QueryAsync(conn, null, "SELECT changed_at FROM signal_changes WHERE user_id = @user", r => PaperRows.ReadInstant(r, 0), ct, ("@user", userId));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<StoredForYou?> GetStoredAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        var head = await db.QueryAsync(conn, null, """
            SELECT window_to, days, computed_at, signals_at, candidates, positives, negatives FROM recommend_lists WHERE user_id = @user
            """, r => (To: DateOnly.ParseExact(r.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture), Days: SqlContext.Int(r.GetValue(1)),
                Computed: PaperRows.ReadInstant(r, 2)!.Value, Signals: PaperRows.ReadInstant(r, 3)!.Value,
                Candidates: SqlContext.Int(r.GetValue(4)), Positives: SqlContext.Int(r.GetValue(5)), Negatives: SqlContext.Int(r.GetValue(6))), ct, ("@user", userId));
        if (head.Count == 0)
            return null;
        var items = await db.QueryAsync(conn, null, "SELECT paper_id, score, reason FROM recommend_items WHERE user_id = @user ORDER BY rank", r =>
        {
            var reason = JsonSerializer.Deserialize<Reason>(r.GetString(2)) ?? new Reason([], [], []);
            return new StoredRecommendation(r.GetString(0), Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture),
                [.. reason.Because.Zip(reason.Similarity, (id, sim) => (id, sim))], reason.Terms);
        }, ct, ("@user", userId));
        var h = head[0];
        return new StoredForYou(h.To, h.Days, h.Computed, h.Signals, h.Candidates, h.Positives, h.Negatives, items);
    }

    public async Task SaveStoredAsync(long userId, StoredForYou list, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await db.ExecuteAsync(conn, tx, "DELETE FROM recommend_items WHERE user_id = @user", ct, ("@user", userId));
        await db.ExecuteAsync(conn, tx, """
            INSERT INTO recommend_lists(user_id, window_to, days, computed_at, signals_at, candidates, positives, negatives)
            VALUES (@user, @to, @days, @computed, @signals, @candidates, @positives, @negatives)
            ON CONFLICT (user_id) DO UPDATE SET window_to = excluded.window_to, days = excluded.days, computed_at = excluded.computed_at,
                signals_at = excluded.signals_at, candidates = excluded.candidates, positives = excluded.positives, negatives = excluded.negatives
            """, ct, ("@user", userId), ("@to", list.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("@days", list.Days), ("@computed", list.ComputedAt),
            ("@signals", list.SignalsAt), ("@candidates", list.Candidates), ("@positives", list.Positives), ("@negatives", list.Negatives));
        for (var i = 0; i < list.Items.Count; i++)
        {
            var item = list.Items[i];
            var reason = JsonSerializer.Serialize(new Reason([.. item.Because.Select(b => b.PaperId)], [.. item.Because.Select(b => Math.Round(b.Similarity, 4))], item.SharedTerms));
            await db.ExecuteAsync(conn, tx, "INSERT INTO recommend_items(user_id, rank, paper_id, score, reason) VALUES (@user, @rank, @paper, @score, @reason)", ct,
                ("@user", userId), ("@rank", i), ("@paper", item.PaperId), ("@score", item.Score), ("@reason", reason));
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Why, as stored: the nearest saved papers (ids and similarities, in order) and the shared terms.</summary>
    private sealed record Reason(IReadOnlyList<string> Because, IReadOnlyList<double> Similarity, IReadOnlyList<string> Terms);
}
