using Npgsql;
using NpgsqlTypes;
using Paperboy.Core.Papers;
using Paperboy.Storage;

namespace Paperboy.Storage.Postgres;

/// <summary>
/// One import transaction. Commands are prepared once and reused for every record of the batch; every parameter
/// is typed, nulls included, so that a prepared statement fits every record.
/// </summary>
internal sealed class PostgresImportUnit(NpgsqlConnection conn, NpgsqlTransaction tx) : IImportUnit
{
    /// <summary>The first key of the advisory lock that queues importers (the second is the schema).</summary>
    public const int LockClass = 0x7062_6901;

    private static readonly Dictionary<string, NpgsqlDbType> PaperTypes = new(StringComparer.Ordinal)
    {
        ["@version"] = NpgsqlDbType.Integer,
        ["@published_on"] = NpgsqlDbType.Date,
        ["@updated_on"] = NpgsqlDbType.Date,
        ["@as_of"] = NpgsqlDbType.Date,
        ["@upvotes"] = NpgsqlDbType.Integer,
        ["@num_comments"] = NpgsqlDbType.Integer,
        ["@daily_day"] = NpgsqlDbType.Date,
        ["@submitted_on_daily_at"] = NpgsqlDbType.TimestampTz,
    };

    private static readonly string InsertPaper =
        $"INSERT INTO papers ({PaperRows.Columns}, created_at, modified_at) VALUES ({PostgresPaperStore.CastParameters}, @now, @now)";

    private static readonly string UpdatePaper =
        $"UPDATE papers SET ({PaperRows.Columns}, modified_at) = ({PostgresPaperStore.CastParameters}, @now) WHERE id = @id";

    private static readonly string FindPaper = $"SELECT {PostgresPaperStore.SelectColumns} FROM papers WHERE id = @id";

    private readonly Dictionary<string, NpgsqlCommand> _commands = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    /// <summary>
    /// The command for the SQL, with parameter values from <paramref name="bind"/>; prepared on first use. A prepared
    /// command keeps its parameter objects (Npgsql binds them when preparing), so later uses only set their values.
    /// </summary>
    private async Task<NpgsqlCommand> CommandAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken ct)
    {
        if (_commands.TryGetValue(sql, out var cmd))
        {
            bind(cmd);
            return cmd;
        }
        cmd = new NpgsqlCommand(sql, conn, tx);
        _commands[sql] = cmd;
        bind(cmd);
        await cmd.PrepareAsync(ct);
        return cmd;
    }

    public async Task<PaperRecord?> FindAsync(string id, CancellationToken ct)
    {
        var cmd = await CommandAsync(FindPaper, c => Set(c, "@id", NpgsqlDbType.Text, id), ct);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? PaperRows.Read(r) : null;
    }

    public async Task<bool> HasSourceRecordAsync(string id, string hash, CancellationToken ct)
    {
        var cmd = await CommandAsync("SELECT 1 FROM source_records WHERE paper_id = @id AND hash = @hash", c =>
        {
            Set(c, "@id", NpgsqlDbType.Text, id);
            Set(c, "@hash", NpgsqlDbType.Text, hash);
        }, ct);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public async Task SavePaperAsync(PaperRecord paper, bool isNew, CancellationToken ct)
    {
        var save = await CommandAsync(isNew ? InsertPaper : UpdatePaper, c => BindPaper(c, paper), ct);
        await save.ExecuteNonQueryAsync(ct);

        if (!isNew)
        {
            var clear = await CommandAsync("DELETE FROM paper_categories WHERE paper_id = @id", c => Set(c, "@id", NpgsqlDbType.Text, paper.Id), ct);
            await clear.ExecuteNonQueryAsync(ct);
        }
        if (paper.Categories.Count > 0)
        {
            var add = await CommandAsync("""
                INSERT INTO paper_categories(category, paper_id)
                SELECT DISTINCT c, @id FROM unnest(@categories) AS c
                ON CONFLICT DO NOTHING
                """, c =>
            {
                Set(c, "@id", NpgsqlDbType.Text, paper.Id);
                Set(c, "@categories", NpgsqlDbType.Array | NpgsqlDbType.Text, paper.Categories.ToArray());
            }, ct);
            await add.ExecuteNonQueryAsync(ct);
        }
    }

    private void BindPaper(NpgsqlCommand cmd, PaperRecord paper)
    {
        // PaperRows.Bind adds parameters: let it fill a scratch command, then copy the values over.
        using var scratch = new NpgsqlCommand();
        PaperRows.Bind(scratch, paper, instantsAsText: false);
        foreach (NpgsqlParameter p in scratch.Parameters)
            Set(cmd, p.ParameterName, PaperTypes.TryGetValue(p.ParameterName, out var type) ? type : NpgsqlDbType.Text, p.Value);
        Set(cmd, "@now", NpgsqlDbType.TimestampTz, _now);
    }

    public async Task AddRevisionAsync(string id, PaperRevision revision, CancellationToken ct)
    {
        var cmd = await CommandAsync("""
            INSERT INTO paper_revisions(paper_id, as_of, version, title, authors, abstract, replaced_at)
            VALUES (@id, @as_of, @version, @title, @authors::jsonb, @abstract, @replaced_at)
            """, c =>
        {
            Set(c, "@id", NpgsqlDbType.Text, id);
            Set(c, "@as_of", NpgsqlDbType.Date, revision.AsOf);
            Set(c, "@version", NpgsqlDbType.Integer, revision.Version);
            Set(c, "@title", NpgsqlDbType.Text, revision.Title);
            Set(c, "@authors", NpgsqlDbType.Text, PaperRows.JsonList(revision.Authors));
            Set(c, "@abstract", NpgsqlDbType.Text, revision.Abstract);
            Set(c, "@replaced_at", NpgsqlDbType.TimestampTz, revision.ReplacedAt.ToUniversalTime());
        }, ct);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task AddSourceRecordAsync(string id, string hash, string source, CancellationToken ct)
    {
        var cmd = await CommandAsync("""
            INSERT INTO source_records(paper_id, hash, source, seen_at) VALUES (@id, @hash, @source, @now)
            ON CONFLICT DO NOTHING
            """, c =>
        {
            Set(c, "@id", NpgsqlDbType.Text, id);
            Set(c, "@hash", NpgsqlDbType.Text, hash);
            Set(c, "@source", NpgsqlDbType.Text, source);
            Set(c, "@now", NpgsqlDbType.TimestampTz, _now);
        }, ct);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> AddListingAsync(string id, DateOnly day, int position, CancellationToken ct)
    {
        var cmd = await CommandAsync("""
            INSERT INTO listings(day, paper_id, position) VALUES (@day, @id, @position)
            ON CONFLICT DO NOTHING
            """, c =>
        {
            Set(c, "@day", NpgsqlDbType.Date, day);
            Set(c, "@id", NpgsqlDbType.Text, id);
            Set(c, "@position", NpgsqlDbType.Integer, position);
        }, ct);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task SetStateAsync(string key, string value, CancellationToken ct)
    {
        var cmd = await CommandAsync(PostgresPaperStore.SetStateSql, c =>
        {
            Set(c, "@key", NpgsqlDbType.Text, key);
            Set(c, "@value", NpgsqlDbType.Text, value);
            Set(c, "@now", NpgsqlDbType.TimestampTz, _now);
        }, ct);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> MarkDeletedAsync(string id, CancellationToken ct)
    {
        var cmd = await CommandAsync("UPDATE papers SET status = 'deleted', modified_at = @now WHERE id = @id AND status IS DISTINCT FROM 'deleted'", c =>
        {
            Set(c, "@id", NpgsqlDbType.Text, id);
            Set(c, "@now", NpgsqlDbType.TimestampTz, _now);
        }, ct);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        var stamp = await CommandAsync("UPDATE meta SET value = value + 1 WHERE key = 'change_stamp'", _ => { }, ct);
        await stamp.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cmd in _commands.Values)
            await cmd.DisposeAsync();
        // Without a commit, disposing the transaction rolls it back.
        await tx.DisposeAsync();
        await conn.DisposeAsync();
    }

    /// <summary>Sets the parameter's value, adding it (typed, so that a null fits the prepared statement) the first time.</summary>
    private static void Set(NpgsqlCommand cmd, string name, NpgsqlDbType type, object? value)
    {
        var i = cmd.Parameters.IndexOf(name);
        if (i >= 0)
            cmd.Parameters[i].Value = value ?? DBNull.Value;
        else
            cmd.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
    }
}
