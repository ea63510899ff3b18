using Paperboy.Core.Jobs;

namespace Paperboy.Storage.Community;

/// <summary>Singleton jobs' leases, one row per job.</summary>
public sealed class SqlJobLeases(SqlContext db) : IJobLeases
{
    public async Task<bool> TryTakeAsync(string name, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        // Insert, or take over an expired lease, or renew one's own: one statement, so two nodes cannot both win.
        return await db.ExecuteAsync(conn, null, """
            INSERT INTO job_leases(name, owner, expires_at) VALUES (@name, @owner, @until)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE job_leases.owner = excluded.owner OR job_leases.expires_at < @now
            """, ct, ("@name", name), ("@owner", owner), ("@until", until), ("@now", now)) == 1;
    }

    public async Task ReleaseAsync(string name, string owner, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await db.ExecuteAsync(conn, null, "DELETE FROM job_leases WHERE name = @name AND owner = @owner", ct, ("@name", name), ("@owner", owner));
    }

    public async Task<IReadOnlyList<LeaseHolder>> ListAsync(CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, "SELECT name, owner, expires_at FROM job_leases ORDER BY name",
            r => new LeaseHolder(r.GetString(0), r.GetString(1), PaperRows.ReadInstant(r, 2)!.Value), ct);
    }
}
