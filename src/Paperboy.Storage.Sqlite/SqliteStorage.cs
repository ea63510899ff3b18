using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Papers;

namespace Paperboy.Storage.Sqlite;

/// <summary>The SQLite provider's front door: the only place its store is made.</summary>
public static class SqliteStorage
{
    /// <summary>Registers the store over <c>DIR/paperboy.db</c>, the data directory coming from the services.</summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services, Func<IServiceProvider, string> dataDirectory) =>
        services.AddPaperStore(sp => new SqlitePaperStore(dataDirectory(sp)))
            .AddSingleton<Core.Accounts.IUserStore>(sp => new SqliteUserStore(((SqlitePaperStore)sp.GetRequiredService<IPaperStore>()).OpenAsync));

    /// <summary>A store outside a service collection (a throwaway evaluation store, tests, benchmarks).</summary>
    public static IPaperStore Open(string dataDirectory) => new SqlitePaperStore(dataDirectory);
}
