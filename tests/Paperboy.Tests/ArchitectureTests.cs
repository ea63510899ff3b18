using Paperboy.Core.Papers;
using Paperboy.Storage.Postgres;
using Paperboy.Storage.Sqlite;

namespace Paperboy.Tests;

/// <summary>The rules of the house that the compiler alone does not keep.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void The_core_knows_no_database_driver_and_no_ado_net()
    {
        var referenced = typeof(IPaperStore).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("System.Data.Common", referenced);
        Assert.DoesNotContain("Microsoft.Data.Sqlite", referenced);
        Assert.DoesNotContain("Npgsql", referenced);
    }

    [Fact]
    public void A_store_is_made_only_by_its_provider()
    {
        // The store classes are the providers' own; callers register or open one through SqliteStorage and
        // PostgresStorage, and then see only the interfaces.
        foreach (var assembly in new[] { typeof(SqliteStorage).Assembly, typeof(PostgresStorage).Assembly })
            Assert.DoesNotContain(assembly.GetExportedTypes(), t => typeof(IPaperStore).IsAssignableFrom(t));
    }
}
