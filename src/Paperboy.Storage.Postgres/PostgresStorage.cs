using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Papers;

namespace Paperboy.Storage.Postgres;

/// <summary>The PostgreSQL provider's front door: the only place its store is made.</summary>
public static class PostgresStorage
{
    /// <summary>Registers the store over the Npgsql connection string the services give.</summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, Func<IServiceProvider, string> connectionString) =>
        services.AddPaperStore(sp => new PostgresPaperStore(connectionString(sp)))
            .AddSingleton<Core.Accounts.IUserStore>(sp => new PostgresUserStore(((PostgresPaperStore)sp.GetRequiredService<IPaperStore>()).OpenAsync));

    /// <summary>A store outside a service collection (tests, benchmarks).</summary>
    public static IPaperStore Open(string connectionString) => new PostgresPaperStore(connectionString);
}
