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
/// <see cref="CommitAsync"/>, which sends them as one batch of multi-row statements: each table's rows as binary
/// arrays, unnested into one <c>INSERT … SELECT</c> (or <c>UPDATE … FROM</c>). What it holds is the database's state
/// plus this unit's own writes, so every call answers as if each earlier one had gone to the database (a call about a
/// paper no preload covered reads it then). The import lock (one unit per schema at a time) keeps that state true.
/// </summary>
internal sealed class PostgresImportUnit(NpgsqlConnection conn, NpgsqlTransaction tx) : IImportUnit
{
    /// <summary>The first key of the advisory lock that queues importers (the second is the schema).</summary>
    public const int LockClass = 0x7062_6901;

    /// <summary>The PostgreSQL type of each of <see cref="PaperRows.Columns"/> that is not text.</summary>
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

    private static readonly string ColumnArrays = string.Join(", ", PaperRows.ColumnNames.Select((_, i) => "$" + (i + 2)));

    /// <summary>New papers, from one array per column ($2…). The import lock makes the unit's "not there" final.</summary>
    private static readonly string InsertPapers = $"""
        INSERT INTO papers ({PaperRows.Columns}, created_at, modified_at)
        SELECT *, $1, $1 FROM unnest({ColumnArrays})
        """;

    /// <summary>Stored papers, from one array per column ($2…): created_at and the community's columns stay.</summary>
    private static readonly string UpdatePapers = $"""
        UPDATE papers p SET ({string.Join(", ", PaperRows.ColumnNames.Skip(1))}, modified_at) =
            ({string.Join(", ", PaperRows.ColumnNames.Skip(1).Select(c => "u." + c))}, $1)
        FROM unnest({ColumnArrays}) AS u({PaperRows.Columns})
        WHERE p.id = u.id
        """;

    // A saved paper's categories become exactly its list: the unit knows the stored list, so only the difference
    // is written (most saves change none).
    private const string RemoveCategories = """
        DELETE FROM paper_categories c USING unnest($1, $2) AS d(paper_id, category)
        WHERE c.paper_id = d.paper_id AND c.category = d.category
        """;

    private const string AddCategories = """
        INSERT INTO paper_categories(paper_id, category) SELECT * FROM unnest($1, $2)
        ON CONFLICT DO NOTHING
        """;

    // WITH ORDINALITY keeps the order the revisions were added in: seq is the history's order.
    private const string AddRevisions = """
        INSERT INTO paper_revisions(paper_id, as_of, version, title, authors, abstract, replaced_at)
        SELECT id, as_of, version, title, authors, abstract, replaced_at
        FROM unnest($1, $2, $3, $4, $5, $6, $7) WITH ORDINALITY AS r(id, as_of, version, title, authors, abstract, replaced_at, n)
        ORDER BY n
        """;

    private const string AddSources = """
        INSERT INTO source_records(paper_id, hash, source, seen_at) SELECT *, $4 FROM unnest($1, $2, $3)
        ON CONFLICT DO NOTHING
        """;

    private const string AddListings = """
        INSERT INTO listings(day, paper_id, position) SELECT * FROM unnest($1, $2, $3)
        ON CONFLICT DO NOTHING
        """;

    private const string MarkDeleted =
        "UPDATE papers SET status = 'deleted', modified_at = $2 WHERE id = ANY($1) AND status IS DISTINCT FROM 'deleted'";

    private const string BumpChangeStamp = "UPDATE meta SET value = value + 1 WHERE key = 'change_stamp'";

    /// <summary>
    /// What the unit knows of one paper: the source records applied, its listing days, and, once read, its row
    /// (null: none).
    /// </summary>
    private sealed class Known
    {
        public bool PaperRead;
        public PaperRecord? Paper;
        /// <summary>The database has a row for it (this unit's writes aside).</summary>
        public bool Stored;
        /// <summary>The categories in the database when the row was read (its paper_categories rows).</summary>
        public IReadOnlyList<string> StoredCategories = [];
        public readonly HashSet<string> Hashes = new(StringComparer.Ordinal);
        public readonly HashSet<DateOnly> Days = [];
    }

    private readonly Dictionary<string, Known> _known = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    // The writes held back until commit. A paper saved twice is written once, in its last state.
    private readonly Dictionary<string, PaperRecord> _papers = new(StringComparer.Ordinal);
    private readonly List<(string Id, PaperRevision Revision)> _revisions = [];
    private readonly List<(string Id, string Hash, string Source)> _sources = [];
    private readonly List<(string Id, DateOnly Day, int Position)> _listings = [];
    private readonly List<string> _deleted = [];

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
                _known[paper.Id].StoredCategories = paper.Categories;
                _known[paper.Id].Stored = true;
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
        // Insert or update is decided by the merge statement; isNew only told the row-by-row statements apart. The
        // stored row is read first (a preload has), for the categories it had.
        (await KnownAsync(paper.Id, ct)).Paper = paper;
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
        await using (var batch = WriteBatch())
            await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>What was held back, as one round trip: papers first (the other tables reference them), then the change stamp.</summary>
    private NpgsqlBatch WriteBatch()
    {
        var batch = new NpgsqlBatch(conn, tx);
        void Add(string sql, params NpgsqlParameter[] parameters)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddRange(parameters);
            batch.BatchCommands.Add(command);
        }
        NpgsqlParameter Now() => Parameter(_now, NpgsqlDbType.TimestampTz);
        if (_papers.Count > 0)
        {
            // As the row-by-row statements did: an INSERT for a new paper, an UPDATE for a stored one.
            foreach (var (sql, papers) in new[] { (InsertPapers, _papers.Values.Where(p => !_known[p.Id].Stored)), (UpdatePapers, _papers.Values.Where(p => _known[p.Id].Stored)) })
            {
                var rows = papers.Select(p => PaperRows.Values(p, instantsAsText: false)).ToArray();
                if (rows.Length > 0)
                    Add(sql, [Now(), .. PaperColumnTypes.Select((type, i) => Column(rows, i, type))]);
            }
            var removed = new List<(string Id, string Category)>();
            var added = new List<(string Id, string Category)>();
            foreach (var p in _papers.Values)
            {
                var stored = _known[p.Id].StoredCategories;
                removed.AddRange(stored.Except(p.Categories, StringComparer.Ordinal).Select(c => (p.Id, c)));
                added.AddRange(p.Categories.Except(stored, StringComparer.Ordinal).Select(c => (p.Id, c)));
            }
            if (removed.Count > 0)
                Add(RemoveCategories, Array(removed, x => x.Id, NpgsqlDbType.Text), Array(removed, x => x.Category, NpgsqlDbType.Text));
            if (added.Count > 0)
                Add(AddCategories, Array(added, x => x.Id, NpgsqlDbType.Text), Array(added, x => x.Category, NpgsqlDbType.Text));
        }
        if (_revisions.Count > 0)
        {
            Add(AddRevisions,
                Array(_revisions, x => x.Id, NpgsqlDbType.Text),
                Array(_revisions, x => x.Revision.AsOf, NpgsqlDbType.Date),
                Array(_revisions, x => x.Revision.Version, NpgsqlDbType.Integer),
                Array(_revisions, x => x.Revision.Title, NpgsqlDbType.Text),
                Array(_revisions, x => PaperRows.JsonList(x.Revision.Authors), NpgsqlDbType.Jsonb),
                Array(_revisions, x => x.Revision.Abstract, NpgsqlDbType.Text),
                Array(_revisions, x => x.Revision.ReplacedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz));
        }
        if (_sources.Count > 0)
        {
            Add(AddSources,
                Array(_sources, x => x.Id, NpgsqlDbType.Text),
                Array(_sources, x => x.Hash, NpgsqlDbType.Text),
                Array(_sources, x => x.Source, NpgsqlDbType.Text),
                Now());
        }
        if (_listings.Count > 0)
        {
            Add(AddListings,
                Array(_listings, x => x.Day, NpgsqlDbType.Date),
                Array(_listings, x => x.Id, NpgsqlDbType.Text),
                Array(_listings, x => x.Position, NpgsqlDbType.Integer));
        }
        if (_deleted.Count > 0)
            Add(MarkDeleted, Parameter(_deleted.ToArray(), NpgsqlDbType.Text | NpgsqlDbType.Array), Now());
        Add(BumpChangeStamp);
        return batch;
    }

    private static NpgsqlParameter Parameter(object value, NpgsqlDbType type) => new() { NpgsqlDbType = type, Value = value };

    private static NpgsqlParameter Array<TRow, T>(List<TRow> rows, Func<TRow, T> value, NpgsqlDbType type) =>
        Parameter(rows.Select(value).ToArray(), type | NpgsqlDbType.Array);

    /// <summary>Column <paramref name="i"/> of the paper rows as a typed array (nulls kept), for unnest.</summary>
    private static NpgsqlParameter Column(object?[][] rows, int i, NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Integer => Parameter(rows.Select(r => (int?)r[i]).ToArray(), type | NpgsqlDbType.Array),
        NpgsqlDbType.Date => Parameter(rows.Select(r => (DateOnly?)r[i]).ToArray(), type | NpgsqlDbType.Array),
        NpgsqlDbType.TimestampTz => Parameter(rows.Select(r => (DateTimeOffset?)r[i]).ToArray(), type | NpgsqlDbType.Array),
        _ => Parameter(rows.Select(r => (string?)r[i]).ToArray(), type | NpgsqlDbType.Array),
    };

    public async ValueTask DisposeAsync()
    {
        // Without a commit, disposing the transaction rolls it back; what was held back was never sent.
        await tx.DisposeAsync();
        await conn.DisposeAsync();
    }
}
