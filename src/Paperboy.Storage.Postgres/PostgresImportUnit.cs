using Npgsql;
using NpgsqlTypes;
using Paperboy.Core.Import;
using Paperboy.Core.Papers;
using Paperboy.Storage;

namespace Paperboy.Storage.Postgres;

/// <summary>
/// One import transaction, in bulk: every statement is a network round trip, so the unit reads what a batch needs
/// (its papers' source records and listing days, and the rows of the papers a record will change) in two queries at
/// <see cref="PreloadAsync"/>, answers the per-record calls from that, and holds the writes back until
/// <see cref="CommitAsync"/>, where they go out as binary COPYs into temporary staging tables and one merge statement
/// per table. What it holds is the database's state plus this unit's own writes, so every call answers as if each
/// earlier one had gone to the database (a call about a paper no preload covered reads it then).
/// </summary>
internal sealed class PostgresImportUnit(NpgsqlConnection conn, NpgsqlTransaction tx) : IImportUnit
{
    /// <summary>The first key of the advisory lock that queues importers (the second is the schema).</summary>
    public const int LockClass = 0x7062_6901;

    /// <summary>The binary COPY type of each of <see cref="PaperRows.Columns"/> that is not text.</summary>
    private static readonly Dictionary<string, NpgsqlDbType> PaperTypes = new(StringComparer.Ordinal)
    {
        ["version"] = NpgsqlDbType.Integer,
        ["authors"] = NpgsqlDbType.Jsonb,
        ["categories"] = NpgsqlDbType.Jsonb,
        ["published_on"] = NpgsqlDbType.Date,
        ["updated_on"] = NpgsqlDbType.Date,
        ["as_of"] = NpgsqlDbType.Date,
        ["versions"] = NpgsqlDbType.Jsonb,
        ["upvotes"] = NpgsqlDbType.Integer,
        ["num_comments"] = NpgsqlDbType.Integer,
        ["daily_day"] = NpgsqlDbType.Date,
        ["submitted_on_daily_at"] = NpgsqlDbType.TimestampTz,
    };

    private static readonly NpgsqlDbType[] PaperColumnTypes =
        PaperRows.ColumnNames.Select(c => PaperTypes.GetValueOrDefault(c, NpgsqlDbType.Text)).ToArray();

    private static readonly string NotId = string.Join(", ", PaperRows.ColumnNames.Skip(1));

    // Staging tables live in pg_temp under names no real table has (pg_temp comes first in the search path), shaped
    // by the tables they feed, and go with the transaction.
    private const string CreateStaging = $"""
        CREATE TEMP TABLE import_papers ON COMMIT DROP AS SELECT {PaperRows.Columns} FROM papers WITH NO DATA;
        CREATE TEMP TABLE import_sources ON COMMIT DROP AS SELECT paper_id, hash, source FROM source_records WITH NO DATA;
        CREATE TEMP TABLE import_listings ON COMMIT DROP AS SELECT day, paper_id, position FROM listings WITH NO DATA;
        """;

    private const string ClearStaging = "TRUNCATE pg_temp.import_papers, pg_temp.import_sources, pg_temp.import_listings";

    /// <summary>Insert or replace: an update keeps created_at and the community's columns, as the row-by-row UPDATE did.</summary>
    private static readonly string MergePapers = $"""
        INSERT INTO papers ({PaperRows.Columns}, created_at, modified_at)
        SELECT {PaperRows.Columns}, @now, @now FROM pg_temp.import_papers
        ON CONFLICT (id) DO UPDATE SET ({NotId}, modified_at) = ({string.Join(", ", PaperRows.ColumnNames.Skip(1).Select(c => "excluded." + c))}, excluded.modified_at)
        """;

    // A saved paper's categories become exactly its list: drop the ones it lost (found through the index by paper:
    // a join with the unanalysed staging table would scan the whole table every batch), add the new ones.
    private const string MergeCategories = """
        DELETE FROM paper_categories c
        WHERE c.paper_id = ANY(ARRAY(SELECT id FROM pg_temp.import_papers))
          AND NOT EXISTS (SELECT 1 FROM pg_temp.import_papers s WHERE s.id = c.paper_id AND s.categories ? c.category)
        """;

    private const string AddCategories = """
        INSERT INTO paper_categories(category, paper_id)
        SELECT DISTINCT c, s.id FROM pg_temp.import_papers s CROSS JOIN LATERAL jsonb_array_elements_text(s.categories) AS c
        ON CONFLICT DO NOTHING
        """;

    private const string MergeSources = """
        INSERT INTO source_records(paper_id, hash, source, seen_at) SELECT paper_id, hash, source, @now FROM pg_temp.import_sources
        ON CONFLICT DO NOTHING
        """;

    private const string MergeListings = """
        INSERT INTO listings(day, paper_id, position) SELECT day, paper_id, position FROM pg_temp.import_listings
        ON CONFLICT DO NOTHING
        """;

    private const string MarkDeleted =
        "UPDATE papers SET status = 'deleted', modified_at = @now WHERE id = ANY(@ids) AND status IS DISTINCT FROM 'deleted'";

    /// <summary>
    /// What the unit knows of one paper: the source records applied, its listing days, and, once read, its row
    /// (null: none).
    /// </summary>
    private sealed class Known
    {
        public bool PaperRead;
        public PaperRecord? Paper;
        public readonly HashSet<string> Hashes = new(StringComparer.Ordinal);
        public readonly HashSet<DateOnly> Days = [];
    }

    private readonly Dictionary<string, Known> _known = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    // The writes held back for the next flush. A paper saved twice is written once, in its last state.
    private readonly Dictionary<string, PaperRecord> _papers = new(StringComparer.Ordinal);
    private readonly List<(string Id, PaperRevision Revision)> _revisions = [];
    private readonly List<(string Id, string Hash, string Source)> _sources = [];
    private readonly List<(string Id, DateOnly Day, int Position)> _listings = [];
    private readonly List<string> _deleted = [];
    private bool _staging;

    public async Task PreloadAsync(IReadOnlyList<IncomingPaper> records, CancellationToken ct)
    {
        var fresh = records.Select(r => r.Id).Where(id => !_known.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray();
        if (fresh.Length == 0)
            return;
        await ReadAppliedAsync(fresh, ct);
        // A paper's row is needed only where a record is new to it or lists it on a new day: a re-import reads none.
        var needed = records
            .Where(r => _known[r.Id] is { PaperRead: false } k && (!k.Hashes.Contains(r.Hash) || (r.ListingDay is { } day && !k.Days.Contains(day))))
            .Select(r => r.Id).Distinct(StringComparer.Ordinal).ToArray();
        await ReadPapersAsync(needed, ct);
    }

    /// <summary>The source records and listing days of papers this unit has not seen yet, in one round trip.</summary>
    private async Task ReadAppliedAsync(string[] ids, CancellationToken ct)
    {
        foreach (var id in ids)
            _known[id] = new Known();
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT paper_id, hash FROM source_records WHERE paper_id = ANY($1)"),
                new NpgsqlBatchCommand("SELECT paper_id, day FROM listings WHERE paper_id = ANY($1)"),
            },
        };
        foreach (var command in batch.BatchCommands)
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = ids });
        await using var r = await batch.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            _known[r.GetString(0)].Hashes.Add(r.GetString(1));
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
            _known[r.GetString(0)].Days.Add(r.GetFieldValue<DateOnly>(1));
    }

    /// <summary>The rows of papers known to this unit whose row it has not read yet (absent ones stay null).</summary>
    private async Task ReadPapersAsync(string[] ids, CancellationToken ct)
    {
        if (ids.Length == 0)
            return;
        await using (var cmd = new NpgsqlCommand($"SELECT {PostgresPaperStore.SelectColumns} FROM papers WHERE id = ANY(@ids)", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter("@ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var paper = PaperRows.Read(r);
                _known[paper.Id].Paper = paper;
            }
        }
        foreach (var id in ids)
            _known[id].PaperRead = true;
    }

    /// <summary>What the unit knows of the paper, its row perhaps not read: from the database if no preload covered it.</summary>
    private async Task<Known> AppliedAsync(string id, CancellationToken ct)
    {
        if (!_known.ContainsKey(id))
            await ReadAppliedAsync([id], ct);
        return _known[id];
    }

    /// <summary>What the unit knows of the paper, with its row.</summary>
    private async Task<Known> KnownAsync(string id, CancellationToken ct)
    {
        var known = await AppliedAsync(id, ct);
        if (!known.PaperRead)
            await ReadPapersAsync([id], ct);
        return known;
    }

    public async Task<PaperRecord?> FindAsync(string id, CancellationToken ct) => (await KnownAsync(id, ct)).Paper;

    public async Task<bool> HasSourceRecordAsync(string id, string hash, CancellationToken ct) =>
        (await AppliedAsync(id, ct)).Hashes.Contains(hash);

    public async Task SavePaperAsync(PaperRecord paper, bool isNew, CancellationToken ct)
    {
        // Insert or update is decided by the merge statement; isNew only told the row-by-row statements apart.
        var known = await AppliedAsync(paper.Id, ct);
        known.Paper = paper;
        known.PaperRead = true;
        _papers[paper.Id] = paper;
    }

    public Task AddRevisionAsync(string id, PaperRevision revision, CancellationToken ct)
    {
        _revisions.Add((id, revision));
        return Task.CompletedTask;
    }

    public async Task AddSourceRecordAsync(string id, string hash, string source, CancellationToken ct)
    {
        if ((await AppliedAsync(id, ct)).Hashes.Add(hash))
            _sources.Add((id, hash, source));
    }

    public async Task<bool> AddListingAsync(string id, DateOnly day, int position, CancellationToken ct)
    {
        if (!(await AppliedAsync(id, ct)).Days.Add(day))
            return false;
        _listings.Add((id, day, position));
        return true;
    }

    public async Task SetStateAsync(string key, string value, CancellationToken ct)
    {
        // Independent of the held-back writes (no reference to papers), so it can go out now.
        await using var cmd = new NpgsqlCommand(PostgresPaperStore.SetStateSql, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter("@key", NpgsqlDbType.Text) { Value = key });
        cmd.Parameters.Add(new NpgsqlParameter("@value", NpgsqlDbType.Text) { Value = value });
        cmd.Parameters.Add(new NpgsqlParameter("@now", NpgsqlDbType.TimestampTz) { Value = _now });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> MarkDeletedAsync(string id, CancellationToken ct)
    {
        var known = await KnownAsync(id, ct);
        if (known.Paper is null || known.Paper.Status == PaperStatus.Deleted)
            return false;
        known.Paper = known.Paper with { Status = PaperStatus.Deleted };
        // A paper this unit saves carries the status in its row; any other gets only the status and the stamp.
        if (_papers.ContainsKey(id))
            _papers[id] = known.Paper;
        else
            _deleted.Add(id);
        return true;
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        await using (var stamp = new NpgsqlCommand("UPDATE meta SET value = value + 1 WHERE key = 'change_stamp'", conn, tx))
            await stamp.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Writes what was held back: COPYs into the staging tables, then the merges in one round trip.</summary>
    private async Task FlushAsync(CancellationToken ct)
    {
        if (_papers.Count + _sources.Count + _listings.Count > 0)
        {
            await using (var stage = new NpgsqlCommand(_staging ? ClearStaging : CreateStaging, conn, tx))
                await stage.ExecuteNonQueryAsync(ct);
            _staging = true;
        }

        if (_papers.Count > 0)
        {
            await CopyAsync($"COPY pg_temp.import_papers ({PaperRows.Columns}) FROM STDIN (FORMAT BINARY)", _papers.Values, async (w, p) =>
            {
                var values = PaperRows.Values(p, instantsAsText: false);
                for (var i = 0; i < values.Length; i++)
                    await WriteAsync(w, values[i], PaperColumnTypes[i], ct);
            }, ct);
        }
        if (_sources.Count > 0)
        {
            await CopyAsync("COPY pg_temp.import_sources (paper_id, hash, source) FROM STDIN (FORMAT BINARY)", _sources, async (w, s) =>
            {
                await w.WriteAsync(s.Id, NpgsqlDbType.Text, ct);
                await w.WriteAsync(s.Hash, NpgsqlDbType.Text, ct);
                await w.WriteAsync(s.Source, NpgsqlDbType.Text, ct);
            }, ct);
        }
        if (_listings.Count > 0)
        {
            await CopyAsync("COPY pg_temp.import_listings (day, paper_id, position) FROM STDIN (FORMAT BINARY)", _listings, async (w, l) =>
            {
                await w.WriteAsync(l.Day, NpgsqlDbType.Date, ct);
                await w.WriteAsync(l.Id, NpgsqlDbType.Text, ct);
                await w.WriteAsync(l.Position, NpgsqlDbType.Integer, ct);
            }, ct);
        }

        await using (var merge = new NpgsqlBatch(conn, tx))
        {
            // Papers first: the other tables reference them.
            if (_papers.Count > 0)
            {
                merge.BatchCommands.Add(WithNow(new NpgsqlBatchCommand(MergePapers)));
                merge.BatchCommands.Add(new NpgsqlBatchCommand(MergeCategories));
                merge.BatchCommands.Add(new NpgsqlBatchCommand(AddCategories));
            }
            if (_sources.Count > 0)
                merge.BatchCommands.Add(WithNow(new NpgsqlBatchCommand(MergeSources)));
            if (_listings.Count > 0)
                merge.BatchCommands.Add(new NpgsqlBatchCommand(MergeListings));
            if (_deleted.Count > 0)
            {
                var delete = WithNow(new NpgsqlBatchCommand(MarkDeleted));
                delete.Parameters.Add(new NpgsqlParameter("@ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = _deleted.ToArray() });
                merge.BatchCommands.Add(delete);
            }
            if (merge.BatchCommands.Count > 0)
                await merge.ExecuteNonQueryAsync(ct);
        }

        // Straight into the table, after the papers they reference; COPY keeps the order, so seq keeps the history's.
        if (_revisions.Count > 0)
        {
            await CopyAsync("COPY paper_revisions (paper_id, as_of, version, title, authors, abstract, replaced_at) FROM STDIN (FORMAT BINARY)", _revisions, async (w, x) =>
            {
                await w.WriteAsync(x.Id, NpgsqlDbType.Text, ct);
                await WriteAsync(w, x.Revision.AsOf, NpgsqlDbType.Date, ct);
                await WriteAsync(w, x.Revision.Version, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(x.Revision.Title, NpgsqlDbType.Text, ct);
                await w.WriteAsync(PaperRows.JsonList(x.Revision.Authors), NpgsqlDbType.Jsonb, ct);
                await w.WriteAsync(x.Revision.Abstract, NpgsqlDbType.Text, ct);
                await w.WriteAsync(x.Revision.ReplacedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            }, ct);
        }

        _papers.Clear();
        _revisions.Clear();
        _sources.Clear();
        _listings.Clear();
        _deleted.Clear();
    }

    private NpgsqlBatchCommand WithNow(NpgsqlBatchCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter("@now", NpgsqlDbType.TimestampTz) { Value = _now });
        return command;
    }

    private async Task CopyAsync<T>(string copy, IEnumerable<T> rows, Func<NpgsqlBinaryImporter, T, Task> write, CancellationToken ct)
    {
        await using var writer = await conn.BeginBinaryImportAsync(copy, ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            await write(writer, row);
        }
        await writer.CompleteAsync(ct);
    }

    private static Task WriteAsync(NpgsqlBinaryImporter writer, object? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? writer.WriteNullAsync(ct) : writer.WriteAsync(value, type, ct);

    public async ValueTask DisposeAsync()
    {
        // Without a commit, disposing the transaction rolls it back: nothing held back was written for good.
        await tx.DisposeAsync();
        await conn.DisposeAsync();
    }
}
