using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Paperboy.Core.Papers;
using Paperboy.Storage.Community;

namespace Paperboy.Storage.Postgres;

/// <summary>The PostgreSQL provider's front door: the only place its stores are made.</summary>
public static class PostgresStorage
{
    /// <summary>Registers the stores over the Npgsql connection string the services give.</summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, Func<IServiceProvider, string> connectionString) =>
        services.AddPaperStore(sp => new PostgresPaperStore(connectionString(sp)))
            .AddCommunityStores(sp => Context((PostgresPaperStore)sp.GetRequiredService<IPaperStore>()));

    /// <summary>A store outside a service collection (tests, benchmarks).</summary>
    public static IPaperStore Open(string connectionString) => new PostgresPaperStore(connectionString);

    private static SqlContext Context(PostgresPaperStore store) => new()
    {
        Open = async ct => await store.OpenAsync(ct),
        InstantsAsText = false,
        SkipLocked = " FOR UPDATE SKIP LOCKED", // nodes claiming outbox rows at once pass over each other's
        UniqueViolation = ex => ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } p ? p.ConstraintName ?? "unique" : null,
        PaperColumns = PostgresPaperStore.PrefixedColumns,
    };
}
