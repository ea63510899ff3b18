using Paperboy.Core.Import;

namespace Paperboy.Core.Papers;

/// <summary>
/// The database: the truth everything else is derived from. One implementation per provider
/// (Paperboy.Storage.Sqlite, Paperboy.Storage.Postgres); nothing outside them knows which is in use. It is the sum of
/// small interfaces, one per feature: a caller asks for the one it needs (a page for <see cref="IPaperReader"/>, the
/// indexer for <see cref="IEmbeddingStore"/>), so what each part of the program may do to the data is visible in its
/// constructor. The host registers every one of them as the same store.
/// </summary>
public interface IPaperStore : IStoreAdmin, IPaperReader, IImportStore, IJobState, IEmbeddingStore, IDataProtectionKeys, IAsyncDisposable;

/// <summary>
/// ASP.NET Data Protection's key ring (the keys that sign sign-in cookies and antiforgery tokens), kept in the
/// database so that a restart and every other node accept the same cookies and tokens. Each key is an XML element
/// under a unique name; keys are added, never changed (Data Protection retires them by date, not by deletion).
/// </summary>
public interface IDataProtectionKeys
{
    Task<IReadOnlyList<string>> GetDataProtectionKeysAsync(CancellationToken ct = default);

    Task AddDataProtectionKeyAsync(string name, string xml, CancellationToken ct = default);
}

/// <summary>The database itself: which provider, its migrations, its size and counts.</summary>
public interface IStoreAdmin
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Provider { get; }

    /// <summary>Applies the migrations this build knows and the database lacks; returns how many ran.</summary>
    Task<int> MigrateAsync(CancellationToken ct = default);

    /// <summary>
    /// Writes a consistent copy of the database, as of one moment, into <paramref name="directory"/> while it stays in
    /// use (SQLite's online backup). A server database is backed up with its own tools (PostgreSQL: pg_dump).
    /// </summary>
    Task BackupToAsync(string directory, CancellationToken ct = default);

    /// <summary>How many of this build's migrations the database lacks (all of them when it has none): 0 means current.</summary>
    Task<int> CountPendingMigrationsAsync(CancellationToken ct = default);

    Task<StoreStatus> GetStatusAsync(CancellationToken ct = default);
}

/// <summary>Papers and listings, as pages, the API and search read them.</summary>
public interface IPaperReader
{
    /// <summary>A number that changes whenever papers or listings change: lets readers cache safely.</summary>
    Task<long> GetChangeStampAsync(CancellationToken ct = default);

    Task<DateOnly?> GetLatestListingDayAsync(CancellationToken ct = default);

    /// <summary>The nearest listing days with papers before and after the period.</summary>
    Task<(DateOnly? Previous, DateOnly? Next)> GetNeighbourDaysAsync(ListingPeriod period, CancellationToken ct = default);

    Task<ListingPage> GetListingAsync(ListingQuery query, CancellationToken ct = default);

    /// <summary>The categories listed in a period with their paper counts, largest first.</summary>
    Task<IReadOnlyList<(string Category, int Count)>> GetCategoryCountsAsync(ListingPeriod period, CancellationToken ct = default);

    Task<PaperDetails?> GetPaperAsync(string id, CancellationToken ct = default);

    /// <summary>Papers by id, in no particular order; ids not stored are left out.</summary>
    Task<IReadOnlyList<PaperRecord>> GetPapersAsync(IReadOnlyList<string> ids, CancellationToken ct = default);

    /// <summary>The papers with this exact author name, newest first (an author's feed).</summary>
    Task<IReadOnlyList<PaperRecord>> GetPapersByAuthorAsync(string author, int limit, CancellationToken ct = default);
}

/// <summary>Writing papers: import, ingestion and submissions all go through one transaction at a time.</summary>
public interface IImportStore
{
    /// <summary>Starts one transaction of import writes; nothing is visible until <see cref="IImportUnit.CommitAsync"/>.</summary>
    Task<IImportUnit> BeginImportAsync(CancellationToken ct = default);
}

/// <summary>Jobs' saved state: harvest cursors, the last run of the daily job.</summary>
public interface IJobState
{
    /// <summary>A job's saved state (harvest cursor, last run), as the JSON it was saved as; null if never saved.</summary>
    Task<string?> GetStateAsync(string key, CancellationToken ct = default);

    Task SetStateAsync(string key, string value, CancellationToken ct = default);
}

/// <summary>What search is derived from: the papers' change feed and the stored embeddings.</summary>
public interface IEmbeddingStore
{
    /// <summary>The papers changed after the cursor, oldest change first: the feed search indexes follow.</summary>
    Task<IReadOnlyList<Search.ChangedPaper>> GetChangedPapersAsync(Search.ChangeCursor? after, int limit, CancellationToken ct = default);

    /// <summary>
    /// Papers with no embedding from this model for their current text, by id, from after <paramref name="afterId"/>
    /// (null: from the start): a pass over a large backlog reads each paper once instead of rescanning its head.
    /// </summary>
    Task<IReadOnlyList<Search.EmbeddingWork>> GetPapersToEmbedAsync(string model, string? afterId, int limit, CancellationToken ct = default);

    Task SaveEmbeddingsAsync(string model, IReadOnlyList<Search.StoredEmbedding> embeddings, CancellationToken ct = default);

    /// <summary>Every current embedding of this model (streamed: there may be millions).</summary>
    IAsyncEnumerable<Search.StoredEmbedding> ReadEmbeddingsAsync(string model, CancellationToken ct = default);

    /// <summary>The current embeddings of these papers by this model (those that have one).</summary>
    Task<IReadOnlyList<Search.StoredEmbedding>> ReadEmbeddingsAsync(string model, IReadOnlyList<string> ids, CancellationToken ct = default);

    /// <summary>How many current embeddings this model has, and when the newest was written.</summary>
    Task<Search.EmbeddingSet> DescribeEmbeddingsAsync(string model, CancellationToken ct = default);
}

/// <summary>
/// One transaction of import writes. The calls read and write one paper at a time; a provider may answer reads from
/// what <see cref="PreloadAsync"/> fetched and hold writes back until <see cref="CommitAsync"/>, as long as every
/// call answers as if each earlier one had gone to the database.
/// </summary>
public interface IImportUnit : IAsyncDisposable
{
    /// <summary>
    /// A hint that the calls to come apply these records: a provider whose every statement is a network round trip
    /// reads what they will need (their papers' source records, listing days and rows) in one go here. Optional;
    /// the default does nothing.
    /// </summary>
    Task PreloadAsync(IReadOnlyList<IncomingPaper> records, CancellationToken ct) => Task.CompletedTask;

    Task<PaperRecord?> FindAsync(string id, CancellationToken ct);

    /// <summary>Whether a source record with this fingerprint was applied to the paper before.</summary>
    Task<bool> HasSourceRecordAsync(string id, string hash, CancellationToken ct);

    Task SavePaperAsync(PaperRecord paper, bool isNew, CancellationToken ct);

    Task AddRevisionAsync(string id, PaperRevision revision, CancellationToken ct);

    Task AddSourceRecordAsync(string id, string hash, string source, CancellationToken ct);

    /// <summary>Lists the paper on the day; false when it already was.</summary>
    Task<bool> AddListingAsync(string id, DateOnly day, int position, CancellationToken ct);

    /// <summary>Saves a job's state in this transaction, so it moves together with the records it describes.</summary>
    Task SetStateAsync(string key, string value, CancellationToken ct);

    /// <summary>Marks a paper deleted at arXiv; false when Paperboy does not have it or already knew.</summary>
    Task<bool> MarkDeletedAsync(string id, CancellationToken ct);

    Task CommitAsync(CancellationToken ct);
}
