using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Papers;
using Paperboy.Storage.Community;

namespace Paperboy.Storage.Sqlite;

/// <summary>The SQLite provider's front door: the only place its stores are made.</summary>
public static class SqliteStorage
{
    /// <summary>Registers the stores over <c>DIR/paperboy.db</c>, the data directory coming from the services.</summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services, Func<IServiceProvider, string> dataDirectory) =>
        services.AddPaperStore(sp => new SqlitePaperStore(dataDirectory(sp)))
            .AddCommunityStores(sp => Context((SqlitePaperStore)sp.GetRequiredService<IPaperStore>()));

    /// <summary>A store outside a service collection (a throwaway evaluation store, tests, benchmarks).</summary>
    public static IPaperStore Open(string dataDirectory) => new SqlitePaperStore(dataDirectory);

    private static SqlContext Context(SqlitePaperStore store) => new()
    {
        Open = async ct => await store.OpenAsync(ct),
        InstantsAsText = true,
        SkipLocked = "", // one writer at a time: a claim's UPDATE cannot interleave with another
        UniqueViolation = ex => ex is SqliteException { SqliteErrorCode: 19 } s && s.Message.Contains("UNIQUE", StringComparison.Ordinal) ? s.Message : null,
        PaperColumns = SqlitePaperStore.PrefixedColumns,
    };
}
