using Paperboy.Core.Recommend;
using Paperboy.Storage.Community;

namespace Paperboy.Storage.Recommend;

/// <summary>"For you"'s own rows on either provider: members' feed keys and picked categories.</summary>
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
}
