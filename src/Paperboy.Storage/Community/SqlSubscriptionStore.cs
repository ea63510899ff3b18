using System.Data.Common;
using System.Text.Json;
using Paperboy.Core.Digests;
using Paperboy.Core.Mail;

namespace Paperboy.Storage.Community;

/// <summary>Subscriptions, digests' periods and job leases on either provider.</summary>
public sealed class SqlSubscriptionStore(SqlContext db) : ISubscriptionStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Columns = "id, email, user_id, choices, pending_choices, created_at, confirmed_at, unsubscribed_at, suspended_at, bounces, digest_since, last_period, followed_code";

    public async Task<Subscription> RequestAsync(string email, long? userId, SubscriptionChoices choices, string confirmHash, DateTimeOffset now,
        Func<Subscription, OutboxMessage> confirmationMail, CancellationToken ct = default)
    {
        var pending = JsonSerializer.Serialize(choices, Json);
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var existing = (await db.QueryAsync(conn, tx, $"SELECT {Columns} FROM subscriptions WHERE lower(email) = lower(@email)", Read, ct, ("@email", email))).FirstOrDefault();
        var row = existing is null
            ? (await db.QueryAsync(conn, tx, $"""
                INSERT INTO subscriptions(email, user_id, choices, pending_choices, confirm_hash, created_at)
                VALUES (@email, @user, @choices, @choices, @hash, @now) RETURNING {Columns}
                """, Read, ct, ("@email", email), ("@user", userId), ("@choices", pending), ("@hash", confirmHash), ("@now", now)))[0]
            : (await db.QueryAsync(conn, tx, $"""
                UPDATE subscriptions SET pending_choices = @choices, confirm_hash = @hash, user_id = COALESCE(user_id, @user)
                WHERE id = @id RETURNING {Columns}
                """, Read, ct, ("@choices", pending), ("@hash", confirmHash), ("@user", userId), ("@id", existing.Id)))[0];
        await SqlOutboxStore.InsertAsync(db, conn, tx, confirmationMail(row), now, ct);
        await tx.CommitAsync(ct);
        return row;
    }

    public async Task<Subscription?> ConfirmAsync(long id, string confirmHash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        // One statement: the secret is spent by the first use; a bounce suspension is lifted by a fresh confirmation.
        return (await db.QueryAsync(conn, null, $"""
            UPDATE subscriptions SET choices = pending_choices, pending_choices = NULL, confirm_hash = NULL,
                confirmed_at = COALESCE(confirmed_at, @now), digest_since = COALESCE(digest_since, @now),
                unsubscribed_at = NULL, suspended_at = NULL, bounces = 0
            WHERE id = @id AND confirm_hash = @hash AND pending_choices IS NOT NULL
            RETURNING {Columns}
            """, Read, ct, ("@id", id), ("@hash", confirmHash), ("@now", now))).FirstOrDefault();
    }

    public async Task<Subscription?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return (await db.QueryAsync(conn, null, $"SELECT {Columns} FROM subscriptions WHERE id = @id", Read, ct, ("@id", id))).FirstOrDefault();
    }

    public async Task<Subscription?> SetChoicesAsync(long id, SubscriptionChoices choices, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return (await db.QueryAsync(conn, null, $"UPDATE subscriptions SET choices = @choices WHERE id = @id RETURNING {Columns}", Read, ct,
            ("@choices", JsonSerializer.Serialize(choices, Json)), ("@id", id))).FirstOrDefault();
    }

    public async Task<bool> UnsubscribeAsync(long id, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.ExecuteAsync(conn, null, "UPDATE subscriptions SET unsubscribed_at = @now WHERE id = @id AND unsubscribed_at IS NULL", ct, ("@now", now), ("@id", id)) == 1;
    }

    public async Task<IReadOnlyList<Subscription>> ListActiveAsync(long afterId, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, $"""
            SELECT {Columns} FROM subscriptions
            WHERE id > @after AND confirmed_at IS NOT NULL AND unsubscribed_at IS NULL AND suspended_at IS NULL
            ORDER BY id LIMIT @limit
            """, Read, ct, ("@after", afterId), ("@limit", limit));
    }

    public async Task<IReadOnlyList<bool>> RecordDigestsAsync(IReadOnlyList<DigestRecord> digests, DateTimeOffset now, CancellationToken ct = default)
    {
        var recorded = new bool[digests.Count];
        if (digests.Count == 0)
            return recorded;
        // Everything is serialised before the transaction opens: on SQLite it holds the one write lock (the sender's
        // claims wait for it), so it should do nothing but write.
        var codes = digests.Select(d => d.FollowedCode is null ? null : JsonSerializer.Serialize(d.FollowedCode, Json)).ToList();
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var mark = db.Command(conn, tx, """
            UPDATE subscriptions SET last_period = @period, digest_since = @until, followed_code = @code
            WHERE id = @id AND (last_period IS NULL OR last_period <> @period)
            """, ("@period", null), ("@until", null), ("@code", null), ("@id", null));
        await using var mails = new SqlOutboxStore.Writer(db, conn, tx);
        for (var i = 0; i < digests.Count; i++)
        {
            var d = digests[i];
            db.Set(mark, d.Period, d.CoveredUntil, codes[i], d.SubscriptionId);
            recorded[i] = await mark.ExecuteNonQueryAsync(ct) == 1;
            if (recorded[i] && d.Mail is not null)
                await mails.InsertAsync(d.Mail, now, ct);
        }
        await tx.CommitAsync(ct);
        return recorded;
    }

    public async Task RecordBounceAsync(string email, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await db.ExecuteAsync(conn, null, """
            UPDATE subscriptions SET bounces = bounces + 1, suspended_at = CASE WHEN bounces + 1 >= 3 THEN @now ELSE suspended_at END
            WHERE lower(email) = lower(@email)
            """, ct, ("@now", now), ("@email", email));
    }

    private static Subscription Read(DbDataReader r) => new(
        SqlContext.Long(r.GetValue(0)), r.GetString(1), SqlContext.NullableLong(r, 2),
        JsonSerializer.Deserialize<SubscriptionChoices>(r.GetString(3), Json)!,
        PaperRows.NullableString(r, 4) is { } p ? JsonSerializer.Deserialize<SubscriptionChoices>(p, Json) : null,
        PaperRows.ReadInstant(r, 5)!.Value, PaperRows.ReadInstant(r, 6), PaperRows.ReadInstant(r, 7), PaperRows.ReadInstant(r, 8),
        SqlContext.Int(r.GetValue(9)), PaperRows.ReadInstant(r, 10), PaperRows.NullableString(r, 11),
        PaperRows.NullableString(r, 12) is { } code ? JsonSerializer.Deserialize<Dictionary<string, string>>(code, Json) : null);
}
