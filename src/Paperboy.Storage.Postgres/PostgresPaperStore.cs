using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Storage;

namespace Paperboy.Storage.Postgres;

/// <summary>
/// The server provider: PostgreSQL 15 or newer. Every SQL statement about papers is here and in
/// <see cref="PostgresImportUnit"/>. Tables live in the connection's current schema (its search_path), unqualified.
/// </summary>
internal sealed class PostgresPaperStore : IPaperStore, IAsyncDisposable, IDisposable
{
    private static readonly HashSet<string> JsonColumns = new(StringComparer.Ordinal) { "authors", "categories", "versions" };

    /// <summary>The <c>papers</c> columns in <see cref="PaperRows.Columns"/> order, JSON ones read back as text.</summary>
    internal static readonly string SelectColumns = PrefixedColumns(null);

    /// <summary>The parameters matching <see cref="PaperRows.Columns"/>, JSON ones cast to jsonb.</summary>
    internal static readonly string CastParameters =
        string.Join(", ", PaperRows.Columns.Split(", ").Select(c => JsonColumns.Contains(c) ? $"@{c}::jsonb" : "@" + c));

    private readonly NpgsqlDataSource _dataSource;
    private readonly string? _schema;

    public string Provider => "postgres";

    /// <summary>Where the data is, for humans: host and database, never credentials.</summary>
    public string Location { get; }

    public PostgresPaperStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _schema = FirstSchema(builder.SearchPath);
        var host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        var port = builder.Port == NpgsqlConnection.DefaultPort ? "" : $":{builder.Port}";
        Location = $"{host}{port}/{builder.Database ?? builder.Username ?? "postgres"}" + (_schema is null ? "" : $" (schema {_schema})");
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    internal ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => _dataSource.OpenConnectionAsync(ct);

    public Task BackupToAsync(string directory, CancellationToken ct = default) =>
        throw new InvalidOperationException("a PostgreSQL database is backed up with pg_dump (see the README's Backups section); `paperboy backup` copies the SQLite file and the index files");

    public async Task<int> CountPendingMigrationsAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var count = conn.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        try
        {
            return PostgresMigrations.All.Length - Convert.ToInt32(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
        catch (System.Data.Common.DbException)
        {
            return PostgresMigrations.All.Length; // no schema_migrations table: nothing applied yet
        }
    }

    public async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await LockAsync(conn, tx, ct);
            var setup = _schema is null ? "" : $"CREATE SCHEMA IF NOT EXISTS {QuoteIdentifier(_schema)};\n";
            setup += "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)";
            await using var create = new NpgsqlCommand(setup, conn, tx);
            await create.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        var ran = 0;
        for (var i = 0; i < PostgresMigrations.All.Length; i++)
        {
            var version = i + 1;
            await using var tx = await conn.BeginTransactionAsync(ct);
            // Another node may be migrating the same schema: wait for it, then see what it applied.
            await LockAsync(conn, tx, ct);
            await using (var check = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations WHERE version = @v", conn, tx))
            {
                check.Parameters.AddWithValue("@v", version);
                if ((long)(await check.ExecuteScalarAsync(ct))! > 0)
                    continue;
            }
            await using (var apply = new NpgsqlCommand(PostgresMigrations.All[i], conn, tx))
                await apply.ExecuteNonQueryAsync(ct);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations(version, applied_at) VALUES (@v, @at)", conn, tx))
            {
                record.Parameters.AddWithValue("@v", version);
                record.Parameters.AddWithValue("@at", DateTimeOffset.UtcNow);
                await record.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            ran++;
        }
        return ran;
    }

    private static async Task LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", conn, tx);
        cmd.Parameters.AddWithValue("@key", PostgresMigrations.LockKey);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IImportUnit> BeginImportAsync(CancellationToken ct = default)
    {
        var conn = await OpenAsync(ct);
        try
        {
            var tx = await conn.BeginTransactionAsync(ct);
            try
            {
                // One importer per schema at a time: a second one queues here instead of failing on a duplicate key.
                // Index lookups only: the unit reads a batch's few hundred papers by key, and while an import fills
                // new tables their statistics lag, so the planner chose a scan of all of source_records and listings
                // for every batch (12 million rows read over the listings import, a third of its time).
                await using (var cmd = new NpgsqlCommand("SET LOCAL enable_seqscan = off; SELECT pg_advisory_xact_lock(@class, hashtext(coalesce(current_schema(), '')))", conn, tx))
                {
                    cmd.Parameters.AddWithValue("@class", PostgresImportUnit.LockClass);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                return new PostgresImportUnit(conn, tx);
            }
            catch
            {
                await tx.DisposeAsync();
                throw;
            }
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    public async Task<string?> GetStateAsync(string key, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT value FROM ingest_state WHERE key = @key", conn);
        cmd.Parameters.Add(new NpgsqlParameter("@key", NpgsqlTypes.NpgsqlDbType.Text) { Value = key });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    public async Task SetStateAsync(string key, string value, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(SetStateSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter("@key", NpgsqlTypes.NpgsqlDbType.Text) { Value = key });
        cmd.Parameters.Add(new NpgsqlParameter("@value", NpgsqlTypes.NpgsqlDbType.Text) { Value = value });
        cmd.Parameters.Add(new NpgsqlParameter("@now", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = DateTimeOffset.UtcNow });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<string>> GetDataProtectionKeysAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT xml FROM data_protection_keys ORDER BY created_at, name", conn);
        return await PaperRows.ReadAllAsync(cmd, r => r.GetString(0), ct);
    }

    public async Task AddDataProtectionKeyAsync(string name, string xml, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("INSERT INTO data_protection_keys(name, xml, created_at) VALUES (@name, @xml, @now) ON CONFLICT (name) DO NOTHING", conn);
        cmd.Parameters.Add(new NpgsqlParameter("@name", NpgsqlTypes.NpgsqlDbType.Text) { Value = name });
        cmd.Parameters.Add(new NpgsqlParameter("@xml", NpgsqlTypes.NpgsqlDbType.Text) { Value = xml });
        cmd.Parameters.Add(new NpgsqlParameter("@now", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = DateTimeOffset.UtcNow });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal const string SetStateSql = """
        INSERT INTO ingest_state(key, value, updated_at) VALUES (@key, @value, @now)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """;

    public async Task<long> GetChangeStampAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT value FROM meta WHERE key = 'change_stamp'", conn);
        return await cmd.ExecuteScalarAsync(ct) is long stamp ? stamp : 0L;
    }

    public async Task<StoreStatus> GetStatusAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT COUNT(*) FROM papers),
                   (SELECT COUNT(DISTINCT day) FROM listings),
                   (SELECT MAX(day) FROM listings),
                   (SELECT MIN(day) FROM listings),
                   pg_database_size(current_database())
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var (papers, days, newest, oldest, size) = (r.GetInt64(0), r.GetInt64(1), PaperRows.ReadDate(r, 2), PaperRows.ReadDate(r, 3),
            r.IsDBNull(4) ? (long?)null : r.GetInt64(4));
        await r.CloseAsync();
        await using var byModel = new NpgsqlCommand("""
            SELECT e.model, COUNT(*) FROM embeddings e JOIN papers p ON p.id = e.paper_id
            WHERE e.text_hash IS NOT DISTINCT FROM p.text_hash GROUP BY e.model ORDER BY e.model
            """, conn);
        var embedded = await PaperRows.ReadAllAsync(byModel, PaperRows.ReadEmbeddedCount, ct);
        return new StoreStatus(Provider, papers, days, newest, oldest, size, Location, embedded);
    }

    public async Task<DateOnly?> GetLatestListingDayAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT MAX(day) FROM listings", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return PaperRows.ReadDate(r, 0);
    }

    public async Task<(DateOnly? Previous, DateOnly? Next)> GetNeighbourDaysAsync(ListingPeriod period, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT MAX(day) FROM listings WHERE day < @from),
                   (SELECT MIN(day) FROM listings WHERE day > @to)
            """, conn);
        cmd.Parameters.AddWithValue("@from", period.From);
        cmd.Parameters.AddWithValue("@to", period.To);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (PaperRows.ReadDate(r, 0), PaperRows.ReadDate(r, 1));
    }

    public async Task<ListingPage> GetListingAsync(ListingQuery query, CancellationToken ct = default)
    {
        // A paper listed on several days of the period appears once, on its first day there.
        const string Period = """
            WITH period AS (
                SELECT DISTINCT ON (l.paper_id) l.paper_id, l.day, l.position
                FROM listings l
                WHERE l.day BETWEEN @from AND @to
                  AND (@category IS NULL OR EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper_id = l.paper_id AND c.category = @category))
                ORDER BY l.paper_id, l.day)
            """;
        var order = query.Sort == ListingSort.Trending
            ? "p.upvotes + p.local_upvotes DESC, period.day DESC, period.position, p.id"
            : "period.day DESC, period.position, p.id";
        await using var conn = await OpenAsync(ct);
        var items = new List<ListedPaper>();
        var total = 0;
        await using (var cmd = new NpgsqlCommand($"""
            {Period}
            SELECT (SELECT COUNT(*) FROM period)::integer, period.day, {PrefixedColumns("p")}
            FROM period JOIN papers p ON p.id = period.paper_id
            ORDER BY {order}
            LIMIT @limit OFFSET @offset
            """, conn))
        {
            AddPeriodParameters(cmd, query);
            cmd.Parameters.AddWithValue("@limit", query.Limit);
            cmd.Parameters.AddWithValue("@offset", query.Offset);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                total = r.GetInt32(0);
                items.Add(new ListedPaper(PaperRows.Read(r, 2), PaperRows.ReadDate(r, 1)!.Value));
            }
        }
        if (items.Count == 0 && query.Offset > 0)
        {
            // Past the last page: still say how many there are.
            await using var count = new NpgsqlCommand($"{Period} SELECT COUNT(*)::integer FROM period", conn);
            AddPeriodParameters(count, query);
            total = (int)(await count.ExecuteScalarAsync(ct))!;
        }
        return new ListingPage(total, items);
    }

    private static void AddPeriodParameters(NpgsqlCommand cmd, ListingQuery query)
    {
        cmd.Parameters.AddWithValue("@from", query.Period.From);
        cmd.Parameters.AddWithValue("@to", query.Period.To);
        // Typed: PostgreSQL cannot infer the type of "@category IS NULL" from an untyped null.
        cmd.Parameters.Add(new NpgsqlParameter("@category", NpgsqlDbType.Text) { Value = (object?)query.Category ?? DBNull.Value });
    }

    public async Task<IReadOnlyList<(string Category, int Count)>> GetCategoryCountsAsync(ListingPeriod period, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT c.category, COUNT(DISTINCT c.paper_id)::integer AS n
            FROM listings l JOIN paper_categories c ON c.paper_id = l.paper_id
            WHERE l.day BETWEEN @from AND @to
            GROUP BY c.category
            ORDER BY n DESC, c.category
            """, conn);
        cmd.Parameters.AddWithValue("@from", period.From);
        cmd.Parameters.AddWithValue("@to", period.To);
        var result = new List<(string, int)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add((r.GetString(0), r.GetInt32(1)));
        return result;
    }

    public async Task<IReadOnlyList<PaperRecord>> GetPapersAsync(IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        var result = new List<PaperRecord>(ids.Count);
        if (ids.Count == 0)
            return result;
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"SELECT {SelectColumns} FROM papers WHERE id = ANY(@ids)", conn);
        cmd.Parameters.Add(new NpgsqlParameter("@ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(PaperRows.Read(r));
        return result;
    }

    public async Task<IReadOnlyList<PaperRecord>> GetPapersByAuthorAsync(string author, int limit, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT {SelectColumns} FROM papers
            WHERE authors @> jsonb_build_array(@author::text)
            ORDER BY COALESCE(updated_on, published_on) DESC, id DESC LIMIT @limit
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("@author", NpgsqlDbType.Text) { Value = author });
        cmd.Parameters.Add(new NpgsqlParameter("@limit", NpgsqlDbType.Integer) { Value = limit });
        return await PaperRows.ReadAllAsync(cmd, r => PaperRows.Read(r), ct);
    }

    public async Task<IReadOnlyList<ChangedPaper>> GetChangedPapersAsync(ChangeCursor? after, int limit, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT p.modified_at, (SELECT MIN(day) FROM listings l WHERE l.paper_id = p.id), {PrefixedColumns("p")}
            FROM papers p
            WHERE @after::timestamptz IS NULL OR (p.modified_at, p.id) > (@after, @afterId)
            ORDER BY p.modified_at, p.id
            LIMIT @limit
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("@after", NpgsqlDbType.TimestampTz) { Value = after is { } a ? a.ModifiedAt.ToUniversalTime() : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("@afterId", NpgsqlDbType.Text) { Value = after?.Id ?? "" });
        cmd.Parameters.Add(new NpgsqlParameter("@limit", NpgsqlDbType.Integer) { Value = limit });
        var result = new List<ChangedPaper>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var paper = PaperRows.Read(r, 2);
            var modified = new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc));
            result.Add(new ChangedPaper(paper, PaperRows.ReadDate(r, 1), new ChangeCursor(modified, paper.Id)));
        }
        return result;
    }

    public async Task<IReadOnlyList<EmbeddingWork>> GetPapersToEmbedAsync(string model, string? afterId, int limit, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT p.id, p.title, p.abstract, p.text_hash
            FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id AND e.model = @model AND e.text_hash IS NOT DISTINCT FROM p.text_hash
            WHERE e.paper_id IS NULL AND p.id > @after
            ORDER BY p.id
            LIMIT @limit
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("@model", NpgsqlDbType.Text) { Value = model });
        cmd.Parameters.Add(new NpgsqlParameter("@after", NpgsqlDbType.Text) { Value = afterId ?? "" });
        cmd.Parameters.Add(new NpgsqlParameter("@limit", NpgsqlDbType.Integer) { Value = limit });
        var result = new List<EmbeddingWork>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(new EmbeddingWork(r.GetString(0), r.GetString(1), r.GetString(2), PaperRows.NullableString(r, 3)));
        return result;
    }

    public async Task SaveEmbeddingsAsync(string model, IReadOnlyList<StoredEmbedding> embeddings, CancellationToken ct = default)
    {
        if (embeddings.Count == 0)
            return;
        // One statement for the batch; a paper given twice keeps its last vector (one row may not be merged twice).
        var last = new Dictionary<string, StoredEmbedding>(StringComparer.Ordinal);
        foreach (var e in embeddings)
            last[e.Id] = e;
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO embeddings(paper_id, model, text_hash, vector, created_at)
            SELECT id, @model, hash, vector, now() FROM unnest(@ids, @hashes, @vectors) AS e(id, hash, vector)
            ON CONFLICT (paper_id) DO UPDATE SET model = excluded.model, text_hash = excluded.text_hash, vector = excluded.vector, created_at = excluded.created_at
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("@model", NpgsqlDbType.Text) { Value = model });
        cmd.Parameters.Add(new NpgsqlParameter("@ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = last.Keys.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("@hashes", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = last.Values.Select(e => e.TextHash).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("@vectors", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = last.Values.Select(e => VectorBytes.ToBytes(e.Vector)).ToArray() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async IAsyncEnumerable<StoredEmbedding> ReadEmbeddingsAsync(string model, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT e.paper_id, e.text_hash, e.vector FROM embeddings e JOIN papers p ON p.id = e.paper_id
            WHERE e.model = @model AND e.text_hash IS NOT DISTINCT FROM p.text_hash ORDER BY e.paper_id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("@model", NpgsqlDbType.Text) { Value = model });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            yield return PaperRows.ReadEmbedding(r);
    }

    public async Task<IReadOnlyList<StoredEmbedding>> ReadEmbeddingsAsync(string model, IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0)
            return [];
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT e.paper_id, e.text_hash, e.vector FROM embeddings e JOIN papers p ON p.id = e.paper_id
            WHERE e.paper_id = ANY(@ids) AND e.model = @model AND e.text_hash IS NOT DISTINCT FROM p.text_hash
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("@ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("@model", NpgsqlDbType.Text) { Value = model });
        return await PaperRows.ReadAllAsync(cmd, PaperRows.ReadEmbedding, ct);
    }

    public async Task<EmbeddingSet> DescribeEmbeddingsAsync(string model, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT COUNT(*), MAX(e.created_at) FROM embeddings e JOIN papers p ON p.id = e.paper_id
            WHERE e.model = @model AND e.text_hash IS NOT DISTINCT FROM p.text_hash
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("@model", NpgsqlDbType.Text) { Value = model });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new EmbeddingSet(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1));
    }

    public async Task<PaperDetails?> GetPaperAsync(string id, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        PaperRecord paper;
        await using (var cmd = new NpgsqlCommand($"SELECT {SelectColumns} FROM papers WHERE id = @id", conn))
        {
            cmd.Parameters.AddWithValue("@id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
                return null;
            paper = PaperRows.Read(r);
        }
        var days = new List<DateOnly>();
        await using (var cmd = new NpgsqlCommand("SELECT day FROM listings WHERE paper_id = @id ORDER BY day", conn))
        {
            cmd.Parameters.AddWithValue("@id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                days.Add(PaperRows.ReadDate(r, 0)!.Value);
        }
        var revisions = new List<PaperRevision>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT as_of, version, title, authors::text, abstract, replaced_at FROM paper_revisions WHERE paper_id = @id ORDER BY seq", conn))
        {
            cmd.Parameters.AddWithValue("@id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                revisions.Add(new PaperRevision(PaperRows.ReadDate(r, 0), r.IsDBNull(1) ? null : r.GetInt32(1), r.GetString(2),
                    PaperRows.ParseList(r.GetString(3)), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5)));
            }
        }
        return new PaperDetails(paper, days, revisions);
    }

    /// <summary>The <c>papers</c> columns in <see cref="PaperRows.Columns"/> order, prefixed, JSON ones as text.</summary>
    internal static string PrefixedColumns(string? alias) =>
        string.Join(", ", PaperRows.SelectColumns.Split(", ").Select(c =>
        {
            var column = alias is null ? c : $"{alias}.{c}";
            return JsonColumns.Contains(c) ? $"{column}::text" : column;
        }));

    /// <summary>The schema tables go to: the first entry of the search path, as PostgreSQL reads it.</summary>
    internal static string? FirstSchema(string? searchPath)
    {
        if (string.IsNullOrWhiteSpace(searchPath))
            return null;
        var first = searchPath.Split(',')[0].Trim();
        if (first.Length >= 2 && first[0] == '"' && first[^1] == '"')
            return first[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        // Unquoted names fold to lower case; "$user" names no fixed schema.
        return first.Length == 0 || first.StartsWith('$') ? null : first.ToLowerInvariant();
    }

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
