using System.Globalization;
using Microsoft.Data.Sqlite;
using Paperboy.Core.Papers;
using Paperboy.Storage;

namespace Paperboy.Storage.Sqlite;

/// <summary>One import transaction. Commands are prepared once and reused for every record of the batch.</summary>
internal sealed class SqliteImportUnit(SqliteConnection conn, SqliteTransaction tx) : IImportUnit
{
    private readonly Dictionary<string, SqliteCommand> _commands = [];
    private readonly string _now = SqliteTime.Now();

    private SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            _commands[sql] = cmd;
        }
        cmd.Parameters.Clear();
        return cmd;
    }

    public async Task<PaperRecord?> FindAsync(string id, CancellationToken ct)
    {
        var cmd = Command($"SELECT {PaperRows.SelectColumns} FROM papers WHERE id = @id");
        cmd.Parameters.AddWithValue("@id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? PaperRows.Read(r) : null;
    }

    public async Task<bool> HasSourceRecordAsync(string id, string hash, CancellationToken ct)
    {
        var cmd = Command("SELECT 1 FROM source_records WHERE paper_id = @id AND hash = @hash");
        cmd.Parameters.AddWithValue("@id", id);
        cmd.Parameters.AddWithValue("@hash", hash);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public async Task SavePaperAsync(PaperRecord paper, bool isNew, CancellationToken ct)
    {
        var sql = isNew
            ? $"INSERT INTO papers ({PaperRows.Columns}, created_at, modified_at) VALUES ({PaperRows.Parameters}, @now, @now)"
            : $"UPDATE papers SET ({PaperRows.Columns}, modified_at) = ({PaperRows.Parameters}, @now) WHERE id = @id";
        var cmd = Command(sql);
        PaperRows.Bind(cmd, paper, instantsAsText: true);
        cmd.Parameters.AddWithValue("@now", _now);
        await cmd.ExecuteNonQueryAsync(ct);

        if (!isNew)
        {
            var clear = Command("DELETE FROM paper_categories WHERE paper_id = @id");
            clear.Parameters.AddWithValue("@id", paper.Id);
            await clear.ExecuteNonQueryAsync(ct);
        }
        foreach (var category in paper.Categories.Distinct(StringComparer.Ordinal))
        {
            var add = Command("INSERT OR IGNORE INTO paper_categories(category, paper_id) VALUES (@category, @id)");
            add.Parameters.AddWithValue("@category", category);
            add.Parameters.AddWithValue("@id", paper.Id);
            await add.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task AddRevisionAsync(string id, PaperRevision revision, CancellationToken ct)
    {
        var cmd = Command("""
            INSERT INTO paper_revisions(paper_id, as_of, version, title, authors, abstract, replaced_at)
            VALUES (@id, @as_of, @version, @title, @authors, @abstract, @replaced_at)
            """);
        cmd.Parameters.AddWithValue("@id", id);
        cmd.Parameters.AddWithValue("@as_of", (object?)revision.AsOf ?? DBNull.Value);
        cmd.Parameters.AddWithValue("@version", (object?)revision.Version ?? DBNull.Value);
        cmd.Parameters.AddWithValue("@title", revision.Title);
        cmd.Parameters.AddWithValue("@authors", PaperRows.JsonList(revision.Authors));
        cmd.Parameters.AddWithValue("@abstract", revision.Abstract);
        cmd.Parameters.AddWithValue("@replaced_at", revision.ReplacedAt.ToString("O", CultureInfo.InvariantCulture));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task AddSourceRecordAsync(string id, string hash, string source, CancellationToken ct)
    {
        var cmd = Command("INSERT OR IGNORE INTO source_records(paper_id, hash, source, seen_at) VALUES (@id, @hash, @source, @now)");
        cmd.Parameters.AddWithValue("@id", id);
        cmd.Parameters.AddWithValue("@hash", hash);
        cmd.Parameters.AddWithValue("@source", source);
        cmd.Parameters.AddWithValue("@now", _now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> AddListingAsync(string id, DateOnly day, int position, CancellationToken ct)
    {
        var cmd = Command("INSERT OR IGNORE INTO listings(day, paper_id, position) VALUES (@day, @id, @position)");
        cmd.Parameters.AddWithValue("@day", day);
        cmd.Parameters.AddWithValue("@id", id);
        cmd.Parameters.AddWithValue("@position", position);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task SetStateAsync(string key, string value, CancellationToken ct)
    {
        var cmd = Command(SqlitePaperStore.SetStateSql);
        cmd.Parameters.AddWithValue("@key", key);
        cmd.Parameters.AddWithValue("@value", value);
        cmd.Parameters.AddWithValue("@now", _now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> MarkDeletedAsync(string id, CancellationToken ct)
    {
        var cmd = Command("UPDATE papers SET status = 'deleted', modified_at = @now WHERE id = @id AND status IS NOT 'deleted'");
        cmd.Parameters.AddWithValue("@id", id);
        cmd.Parameters.AddWithValue("@now", _now);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        var stamp = Command("UPDATE meta SET value = value + 1 WHERE key = 'change_stamp'");
        await stamp.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cmd in _commands.Values)
            await cmd.DisposeAsync();
        await tx.DisposeAsync();
        await conn.DisposeAsync();
    }
}
