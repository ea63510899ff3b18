using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Storage;

namespace Paperboy.Storage.Sqlite;

/// <summary>The embedded default: one SQLite file in WAL mode. Every SQL statement about papers is here.</summary>
internal sealed class SqlitePaperStore : IPaperStore
{
    /// <summary>Connections are pooled by Microsoft.Data.Sqlite; nothing to release per store.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public const string FileName = "paperboy.db";

    private readonly string _connectionString;

    public string Provider => "sqlite";
    public string FilePath { get; }

    public SqlitePaperStore(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        FilePath = Path.GetFullPath(Path.Combine(dataDirectory, FileName));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    internal async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        // WAL lets readers (the web server) go on while an import writes; NORMAL is durable across process crashes.
        using var cmd = conn.CreateCommand();
        // journal_size_limit: a busy server's readers can keep the WAL from being reset for a while; once they let go, it
        // is cut back to 64 MB instead of keeping its high-water size.
        cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA journal_size_limit=67108864;";
        await cmd.ExecuteNonQueryAsync(ct);
        return conn;
    }

    public async Task BackupToAsync(string directory, CancellationToken ct = default)
    {
        await using var source = await OpenAsync(ct);
        var target = Path.Combine(directory, FileName);
        // SQLite's online backup API: pages copied while other connections go on reading and writing.
        await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ConnectionString);
        await copy.OpenAsync(ct);
        source.BackupDatabase(copy);
    }

    public async Task<int> CountPendingMigrationsAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var count = conn.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        try
        {
            return SqliteMigrations.All.Length - Convert.ToInt32(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
        catch (System.Data.Common.DbException)
        {
            return SqliteMigrations.All.Length; // no schema_migrations table: nothing applied yet
        }
    }

    public async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using (var create = conn.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync(ct);
        }
        var ran = 0;
        for (var i = 0; i < SqliteMigrations.All.Length; i++)
        {
            var version = i + 1;
            await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
            await using var check = conn.CreateCommand();
            check.Transaction = tx;
            check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = @v";
            check.Parameters.AddWithValue("@v", version);
            if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0)
                continue;
            await using var apply = conn.CreateCommand();
            apply.Transaction = tx;
            apply.CommandText = SqliteMigrations.All[i] + "\nINSERT INTO schema_migrations(version, applied_at) VALUES (@v, @at);";
            apply.Parameters.AddWithValue("@v", version);
            apply.Parameters.AddWithValue("@at", SqliteTime.Now());
            await apply.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            ran++;
        }
        return ran;
    }

    public async Task<IImportUnit> BeginImportAsync(CancellationToken ct = default)
    {
        var conn = await OpenAsync(ct);
        // IMMEDIATE: take the write lock now, so two importers queue instead of failing at commit.
        var tx = conn.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
        return new SqliteImportUnit(conn, tx);
    }

    public async Task<long> GetChangeStampAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = 'change_stamp'";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct) ?? 0L, CultureInfo.InvariantCulture);
    }

    public async Task<StoreStatus> GetStatusAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT (SELECT COUNT(*) FROM papers),
                   (SELECT COUNT(DISTINCT day) FROM listings),
                   (SELECT MAX(day) FROM listings),
                   (SELECT MIN(day) FROM listings)
            """;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        long size = 0;
        foreach (var f in new[] { FilePath, FilePath + "-wal" })
        {
            if (File.Exists(f))
                size += new FileInfo(f).Length;
        }
        var (papers, days, newest, oldest) = (r.GetInt64(0), r.GetInt64(1), PaperRows.ReadDate(r, 2), PaperRows.ReadDate(r, 3));
        await r.CloseAsync();
        cmd.CommandText = """
            SELECT e.model, COUNT(*) FROM embeddings e JOIN papers p ON p.id = e.paper_id
            WHERE e.text_hash IS p.text_hash GROUP BY e.model ORDER BY e.model
            """;
        var embedded = await PaperRows.ReadAllAsync(cmd, PaperRows.ReadEmbeddedCount, ct);
        return new StoreStatus(Provider, papers, days, newest, oldest, size, FilePath, embedded);
    }

    public async Task<DateOnly?> GetLatestListingDayAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT MAX(day) FROM listings";
        return await cmd.ExecuteScalarAsync(ct) is string s ? DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null;
    }

    public async Task<(DateOnly? Previous, DateOnly? Next)> GetNeighbourDaysAsync(ListingPeriod period, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT (SELECT MAX(day) FROM listings WHERE day < @from),
                   (SELECT MIN(day) FROM listings WHERE day > @to)
            """;
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
                -- SQLite takes the bare column (position) from the row that holds MIN(day).
                SELECT l.paper_id, MIN(l.day) AS day, l.position
                FROM listings l
                WHERE l.day BETWEEN @from AND @to
                  AND (@category IS NULL OR EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper_id = l.paper_id AND c.category = @category))
                GROUP BY l.paper_id)
            """;
        var order = query.Sort == ListingSort.Trending
            ? "p.upvotes + p.local_upvotes DESC, period.day DESC, period.position, p.id"
            : "period.day DESC, period.position, p.id";
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"""
            {Period}
            SELECT (SELECT COUNT(*) FROM period), period.day, {PrefixedColumns("p")}
            FROM period JOIN papers p ON p.id = period.paper_id
            ORDER BY {order}
            LIMIT @limit OFFSET @offset
            """;
        cmd.Parameters.AddWithValue("@from", query.Period.From);
        cmd.Parameters.AddWithValue("@to", query.Period.To);
        cmd.Parameters.AddWithValue("@category", (object?)query.Category ?? DBNull.Value);
        cmd.Parameters.AddWithValue("@limit", query.Limit);
        cmd.Parameters.AddWithValue("@offset", query.Offset);
        var items = new List<ListedPaper>();
        var total = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                total = r.GetInt32(0);
                items.Add(new ListedPaper(PaperRows.Read(r, 2), PaperRows.ReadDate(r, 1)!.Value));
            }
        }
        if (items.Count == 0 && query.Offset > 0)
        {
            // Past the last page: still say how many there are.
            await using var count = conn.CreateCommand();
            count.CommandText = $"{Period} SELECT COUNT(*) FROM period";
            count.Parameters.AddWithValue("@from", query.Period.From);
            count.Parameters.AddWithValue("@to", query.Period.To);
            count.Parameters.AddWithValue("@category", (object?)query.Category ?? DBNull.Value);
            total = Convert.ToInt32(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
        return new ListingPage(total, items);
    }

    public async Task<IReadOnlyList<(string Category, int Count)>> GetCategoryCountsAsync(ListingPeriod period, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT c.category, COUNT(DISTINCT c.paper_id) AS n
            FROM listings l JOIN paper_categories c ON c.paper_id = l.paper_id
            WHERE l.day BETWEEN @from AND @to
            GROUP BY c.category
            ORDER BY n DESC, c.category
            """;
        cmd.Parameters.AddWithValue("@from", period.From);
        cmd.Parameters.AddWithValue("@to", period.To);
        var result = new List<(string, int)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add((r.GetString(0), r.GetInt32(1)));
        return result;
    }

    public async Task<PaperDetails?> GetPaperAsync(string id, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        PaperRecord paper;
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = $"SELECT {PaperRows.SelectColumns} FROM papers WHERE id = @id";
            cmd.Parameters.AddWithValue("@id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
                return null;
            paper = PaperRows.Read(r);
        }
        var days = new List<DateOnly>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT day FROM listings WHERE paper_id = @id ORDER BY day";
            cmd.Parameters.AddWithValue("@id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                days.Add(PaperRows.ReadDate(r, 0)!.Value);
        }
        var revisions = new List<PaperRevision>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT as_of, version, title, authors, abstract, replaced_at FROM paper_revisions WHERE paper_id = @id ORDER BY seq";
            cmd.Parameters.AddWithValue("@id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                revisions.Add(new PaperRevision(PaperRows.ReadDate(r, 0), r.IsDBNull(1) ? null : r.GetInt32(1), r.GetString(2),
                    PaperRows.ParseList(r.GetString(3)), r.GetString(4), DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture)));
            }
        }
        return new PaperDetails(paper, days, revisions);
    }

    public async Task<string?> GetStateAsync(string key, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT value FROM ingest_state WHERE key = @key";
        cmd.Parameters.AddWithValue("@key", key);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    public async Task SetStateAsync(string key, string value, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = SetStateSql;
        cmd.Parameters.AddWithValue("@key", key);
        cmd.Parameters.AddWithValue("@value", value);
        cmd.Parameters.AddWithValue("@now", SqliteTime.Now());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<string>> GetDataProtectionKeysAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT xml FROM data_protection_keys ORDER BY created_at, name";
        return await PaperRows.ReadAllAsync(cmd, r => r.GetString(0), ct);
    }

    public async Task AddDataProtectionKeyAsync(string name, string xml, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "INSERT INTO data_protection_keys(name, xml, created_at) VALUES (@name, @xml, @now) ON CONFLICT (name) DO NOTHING";
        cmd.Parameters.AddWithValue("@name", name);
        cmd.Parameters.AddWithValue("@xml", xml);
        cmd.Parameters.AddWithValue("@now", SqliteTime.Now());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<PaperRecord>> GetPapersAsync(IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        var result = new List<PaperRecord>(ids.Count);
        if (ids.Count == 0)
            return result;
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {PaperRows.SelectColumns} FROM papers WHERE id IN (SELECT value FROM json_each(@ids))";
        cmd.Parameters.AddWithValue("@ids", PaperRows.JsonList(ids));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(PaperRows.Read(r));
        return result;
    }

    public async Task<IReadOnlyList<PaperRecord>> GetPapersByAuthorAsync(string author, int limit, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        // A scan with a JSON test per paper: fine for a cached feed; an author index comes if this gets hot.
        cmd.CommandText = $"""
            SELECT {PaperRows.SelectColumns} FROM papers
            WHERE EXISTS (SELECT 1 FROM json_each(papers.authors) WHERE value = @author)
            ORDER BY COALESCE(updated_on, published_on) DESC, id DESC LIMIT @limit
            """;
        cmd.Parameters.AddWithValue("@author", author);
        cmd.Parameters.AddWithValue("@limit", limit);
        return await PaperRows.ReadAllAsync(cmd, r => PaperRows.Read(r), ct);
    }

    public async Task<IReadOnlyList<ChangedPaper>> GetChangedPapersAsync(ChangeCursor? after, int limit, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"""
            SELECT p.modified_at, (SELECT MIN(day) FROM listings l WHERE l.paper_id = p.id), {PrefixedColumns("p")}
            FROM papers p
            WHERE @after IS NULL OR (p.modified_at, p.id) > (@after, @afterId)
            ORDER BY p.modified_at, p.id
            LIMIT @limit
            """;
        cmd.Parameters.AddWithValue("@after", after is { } a ? a.ModifiedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) : DBNull.Value);
        cmd.Parameters.AddWithValue("@afterId", after?.Id ?? "");
        cmd.Parameters.AddWithValue("@limit", limit);
        var result = new List<ChangedPaper>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var paper = PaperRows.Read(r, 2);
            result.Add(new ChangedPaper(paper, PaperRows.ReadDate(r, 1), new ChangeCursor(DateTimeOffset.Parse(r.GetString(0), CultureInfo.InvariantCulture), paper.Id)));
        }
        return result;
    }

    public async Task<IReadOnlyList<EmbeddingWork>> GetPapersToEmbedAsync(string model, string? afterId, int limit, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT p.id, p.title, p.abstract, p.text_hash
            FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id AND e.model = @model AND e.text_hash IS p.text_hash
            WHERE e.paper_id IS NULL AND p.id > @after
            ORDER BY p.id
            LIMIT @limit
            """;
        cmd.Parameters.AddWithValue("@model", model);
        cmd.Parameters.AddWithValue("@after", afterId ?? "");
        cmd.Parameters.AddWithValue("@limit", limit);
        var result = new List<EmbeddingWork>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(new EmbeddingWork(r.GetString(0), r.GetString(1), r.GetString(2), PaperRows.NullableString(r, 3)));
        return result;
    }

    public async Task SaveEmbeddingsAsync(string model, IReadOnlyList<StoredEmbedding> embeddings, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var tx = conn.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO embeddings(paper_id, model, text_hash, vector, created_at) VALUES (@id, @model, @hash, @vector, @now)
            ON CONFLICT(paper_id) DO UPDATE SET model = excluded.model, text_hash = excluded.text_hash, vector = excluded.vector, created_at = excluded.created_at
            """;
        var id = cmd.Parameters.Add("@id", SqliteType.Text);
        var hash = cmd.Parameters.Add("@hash", SqliteType.Text);
        var vector = cmd.Parameters.Add("@vector", SqliteType.Blob);
        cmd.Parameters.AddWithValue("@model", model);
        cmd.Parameters.AddWithValue("@now", SqliteTime.Now());
        foreach (var e in embeddings)
        {
            id.Value = e.Id;
            hash.Value = (object?)e.TextHash ?? DBNull.Value;
            vector.Value = VectorBytes.ToBytes(e.Vector);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async IAsyncEnumerable<StoredEmbedding> ReadEmbeddingsAsync(string model, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT e.paper_id, e.text_hash, e.vector FROM embeddings e JOIN papers p ON p.id = e.paper_id
            WHERE e.model = @model AND e.text_hash IS p.text_hash ORDER BY e.paper_id
            """;
        cmd.Parameters.AddWithValue("@model", model);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            yield return PaperRows.ReadEmbedding(r);
    }

    public async Task<IReadOnlyList<StoredEmbedding>> ReadEmbeddingsAsync(string model, IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0)
            return [];
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT e.paper_id, e.text_hash, e.vector FROM embeddings e JOIN papers p ON p.id = e.paper_id
            WHERE e.paper_id IN (SELECT value FROM json_each(@ids)) AND e.model = @model AND e.text_hash IS p.text_hash
            """;
        cmd.Parameters.AddWithValue("@ids", PaperRows.JsonList(ids));
        cmd.Parameters.AddWithValue("@model", model);
        return await PaperRows.ReadAllAsync(cmd, PaperRows.ReadEmbedding, ct);
    }

    public async Task<EmbeddingSet> DescribeEmbeddingsAsync(string model, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT COUNT(*), MAX(e.created_at) FROM embeddings e JOIN papers p ON p.id = e.paper_id
            WHERE e.model = @model AND e.text_hash IS p.text_hash
            """;
        cmd.Parameters.AddWithValue("@model", model);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new EmbeddingSet(r.GetInt64(0), r.IsDBNull(1) ? null : DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture));
    }

    internal const string SetStateSql = """
        INSERT INTO ingest_state(key, value, updated_at) VALUES (@key, @value, @now)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """;

    internal static string PrefixedColumns(string alias) =>
        string.Join(", ", PaperRows.SelectColumns.Split(", ").Select(c => $"{alias}.{c}"));
}
