using System.Data.Common;
using Paperboy.Core.Mail;

namespace Paperboy.Storage.Community;

/// <summary>The mail outbox on either provider; claims are leases, so each message is sent by one node at a time.</summary>
public sealed class SqlOutboxStore(SqlContext db) : IOutboxStore
{
    /// <summary>Writes a message in the caller's transaction: the cause and its mail commit together.</summary>
    public static async Task InsertAsync(SqlContext db, DbConnection conn, DbTransaction tx, OutboxMessage m, DateTimeOffset now, CancellationToken ct)
    {
        await using var writer = new Writer(db, conn, tx);
        await writer.InsertAsync(m, now, ct);
    }

    /// <summary>
    /// Writes messages in the caller's transaction with two commands made once: a batch (a digest run's) pays for
    /// parsing its statements once, not per message.
    /// </summary>
    public sealed class Writer : IAsyncDisposable
    {
        private readonly SqlContext _db;
        private readonly DbCommand _row;
        private readonly DbCommand _content;

        public Writer(SqlContext db, DbConnection conn, DbTransaction tx)
        {
            _db = db;
            _row = db.Command(conn, tx, """
                INSERT INTO outbox(kind, dedupe_key, recipient, subject, created_at, next_attempt_at)
                VALUES (@kind, @key, @to, @subject, @now, @now)
                ON CONFLICT DO NOTHING
                RETURNING id
                """, ("@kind", null), ("@key", null), ("@to", null), ("@subject", null), ("@now", null));
            _content = db.Command(conn, tx, "INSERT INTO outbox_content(outbox_id, text_body, html_body, headers, mime) VALUES (@id, @text, @html, @headers, @mime)",
                ("@id", null), ("@text", null), ("@html", null), ("@headers", null), ("@mime", null));
        }

        /// <summary>False when a message with the same key is there already (nothing is written).</summary>
        public async Task<bool> InsertAsync(OutboxMessage m, DateTimeOffset now, CancellationToken ct)
        {
            _db.Set(_row, m.Kind, m.Key, m.To, m.Subject, now);
            var id = await _row.ExecuteScalarAsync(ct);
            if (id is null or DBNull)
                return false;
            _db.Set(_content, id, m.TextBody, m.HtmlBody, m.Headers is { Count: > 0 } h ? System.Text.Json.JsonSerializer.Serialize(h) : null, m.Mime);
            await _content.ExecuteNonQueryAsync(ct);
            return true;
        }

        public async ValueTask DisposeAsync()
        {
            await _row.DisposeAsync();
            await _content.DisposeAsync();
        }
    }

    public async Task EnqueueAsync(OutboxMessage message, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await InsertAsync(db, conn, tx, message, now, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<OutboxItem>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        // The claim touches only the small row; the content is read after it, by the ids this node now holds.
        var claimed = await db.QueryAsync(conn, null, $"""
            UPDATE outbox SET claimed_by = @node, claimed_until = @until, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM outbox
                WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)
                ORDER BY id LIMIT @limit{db.SkipLocked})
            RETURNING id, kind, recipient, subject, dedupe_key, attempts, created_at
            """, r => (Id: SqlContext.Long(r.GetValue(0)), Kind: r.GetString(1), To: r.GetString(2), Subject: r.GetString(3), Key: PaperRows.NullableString(r, 4),
                Attempts: SqlContext.Int(r.GetValue(5)), CreatedAt: PaperRows.ReadInstant(r, 6)!.Value), ct,
            ("@node", node), ("@until", now + lease), ("@now", now), ("@limit", limit));
        if (claimed.Count == 0)
            return [];
        var names = claimed.Select((_, i) => "@i" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var content = (await db.QueryAsync(conn, null, $"SELECT outbox_id, text_body, html_body, headers, mime FROM outbox_content WHERE outbox_id IN ({string.Join(", ", names)})",
                r => (Id: SqlContext.Long(r.GetValue(0)), Text: r.GetString(1), Html: PaperRows.NullableString(r, 2), Headers: PaperRows.NullableString(r, 3), Mime: r.IsDBNull(4) ? null : (byte[])r.GetValue(4)), ct,
                [.. claimed.Select((c, i) => (names[i], (object?)c.Id))]))
            .ToDictionary(c => c.Id);
        return claimed.OrderBy(c => c.Id).Select(c =>
        {
            var body = content[c.Id];
            return new OutboxItem(c.Id, new OutboxMessage(c.Kind, c.To, c.Subject, body.Text, body.Html, c.Key)
            {
                Headers = body.Headers is { } json ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json) : null,
                Mime = body.Mime,
            }, c.Attempts, c.CreatedAt);
        }).ToList();
    }

    public Task MarkSentAsync(long id, DateTimeOffset at, CancellationToken ct = default) =>
        UpdateAsync("sent_at = @at, last_error = NULL", id, null, at, ct);

    public async Task MarkSentAsync(IReadOnlyList<long> ids, DateTimeOffset at, CancellationToken ct = default)
    {
        if (ids.Count == 0)
            return;
        await using var conn = await db.Open(ct);
        var names = ids.Select((_, i) => "@i" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await db.ExecuteAsync(conn, null, $"UPDATE outbox SET sent_at = @at, last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id IN ({string.Join(", ", names)})", ct,
            [("@at", at), .. ids.Select((id, i) => (names[i], (object?)id))]);
    }

    public Task MarkRetryAsync(long id, string error, DateTimeOffset retryAt, CancellationToken ct = default) =>
        UpdateAsync("next_attempt_at = @at, last_error = @error", id, error, retryAt, ct);

    public Task MarkFailedAsync(long id, string error, DateTimeOffset at, CancellationToken ct = default) =>
        UpdateAsync("failed_at = @at, last_error = @error", id, error, at, ct);

    private async Task UpdateAsync(string set, long id, string? error, DateTimeOffset at, CancellationToken ct)
    {
        await using var conn = await db.Open(ct);
        await db.ExecuteAsync(conn, null, $"UPDATE outbox SET {set}, claimed_by = NULL, claimed_until = NULL WHERE id = @id", ct,
            ("@id", id), ("@at", at), ("@error", error is null ? null : Core.Papers.TextNormalizer.Clip(error, 1000)));
    }

    public async Task<OutboxStats> GetStatsAsync(CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return (await db.QueryAsync(conn, null, """
            SELECT
                (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL),
                (SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL),
                (SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL),
                (SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL),
                (SELECT last_error FROM outbox WHERE last_error IS NOT NULL ORDER BY id DESC LIMIT 1)
            """, r => new OutboxStats(SqlContext.Long(r.GetValue(0)), SqlContext.Long(r.GetValue(1)), SqlContext.Long(r.GetValue(2)), PaperRows.ReadInstant(r, 3), PaperRows.NullableString(r, 4)), ct))[0];
    }
}
