using Npgsql;
using Paperboy.Core.Papers;
using Paperboy.Storage.Postgres;
using Paperboy.Storage.Sqlite;

namespace Paperboy.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated, empty store for one test, on either provider. PostgreSQL tests each get their own schema
/// on the server named by PAPERBOY_TEST_POSTGRES (`.ci/run` starts one and sets it).
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    public const string PostgresVariable = "PAPERBOY_TEST_POSTGRES";

    private readonly TestData.TempDir _dir = new();
    private readonly string? _schema;
    private readonly string? _adminConnection;

    public IPaperStore Store { get; }
    public string Provider { get; }
    public string DataDirectory => _dir.Path;

    /// <summary>Configuration that points the app at this store.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    private TestStore(string provider)
    {
        Provider = provider;
        Settings["Storage:DataDirectory"] = _dir.Path;
        Settings["Storage:Provider"] = provider;
        // Tests never reach out to arXiv on their own; ingestion tests point the clients at FakeArxiv.
        Settings["Arxiv:Schedule:Enabled"] = "false";
        // The model is loaded only by the tests about semantic search.
        Settings["Search:Semantic"] = "false";
        if (provider == "postgres")
        {
            _adminConnection = Environment.GetEnvironmentVariable(PostgresVariable)
                ?? throw new InvalidOperationException($"PostgreSQL tests need a server: set {PostgresVariable} to a connection string, or run `bash .ci/run`, which starts one.");
            _schema = "t_" + Guid.NewGuid().ToString("N")[..16];
            var cs = new NpgsqlConnectionStringBuilder(_adminConnection) { SearchPath = _schema }.ConnectionString;
            Settings["Storage:ConnectionString"] = cs;
            Store = PostgresStorage.Open(cs);
        }
        else
        {
            Store = SqliteStorage.Open(_dir.Path);
        }
    }

    /// <summary>With <paramref name="migrate"/> false the store is left as a new server finds it (PostgreSQL: no schema yet).</summary>
    public static async Task<TestStore> CreateAsync(string provider, bool migrate = true)
    {
        var s = new TestStore(provider);
        if (migrate)
            await s.Store.MigrateAsync();
        return s;
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is IAsyncDisposable d)
            await d.DisposeAsync();
        if (_schema is not null)
        {
            await using var conn = new NpgsqlConnection(_adminConnection);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
