using System.Data.Common;
using System.Globalization;

namespace Paperboy.Storage.Community;

/// <summary>
/// What the community stores need from a provider: connections, and the few places where SQLite and PostgreSQL
/// differ (how instants are stored, row locks, how a unique key violation is reported, how paper columns are read).
/// The community SQL itself is written once, in plain ANSI-style statements both accept.
/// </summary>
public sealed class SqlContext
{
    public required Func<CancellationToken, Task<DbConnection>> Open { get; init; }

    /// <summary>SQLite keeps instants as ISO text; PostgreSQL as timestamptz.</summary>
    public required bool InstantsAsText { get; init; }

    /// <summary>Appended to a claim's row selection: PostgreSQL's <c>FOR UPDATE SKIP LOCKED</c>; nothing on SQLite (one writer).</summary>
    public required string SkipLocked { get; init; }

    /// <summary>The name of the unique index or constraint an exception violated; null when it is not such a violation.</summary>
    public required Func<DbException, string?> UniqueViolation { get; init; }

    /// <summary>The paper columns (<see cref="PaperRows.SelectColumns"/>) under an alias, as the provider reads them.</summary>
    public required Func<string, string> PaperColumns { get; init; }

    public object Instant(DateTimeOffset at) => InstantsAsText ? PaperRows.InstantText(at) : at.ToUniversalTime();

    public DbCommand Command(DbConnection conn, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
            PaperRows.Add(cmd, name, value is DateTimeOffset at ? Instant(at) : value);
        return cmd;
    }

    /// <summary>
    /// New values for a command made once and run many times (<see cref="Command"/>), in its parameters' order, converted
    /// as <see cref="Command"/> converts them.
    /// </summary>
    public void Set(DbCommand cmd, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(cmd);
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Length; i++)
            cmd.Parameters[i].Value = (values[i] is DateTimeOffset at ? Instant(at) : values[i]) ?? DBNull.Value;
    }

    public async Task<int> ExecuteAsync(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<object?> ScalarAsync(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    public async Task<List<T>> QueryAsync<T>(DbConnection conn, DbTransaction? tx, string sql, Func<DbDataReader, T> read, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        return await PaperRows.ReadAllAsync(cmd, read, ct);
    }

    /// <summary>Moves the change stamp that page caches key on (in the caller's transaction).</summary>
    public Task BumpChangeStampAsync(DbConnection conn, DbTransaction tx, CancellationToken ct) =>
        ExecuteAsync(conn, tx, "UPDATE meta SET value = value + 1 WHERE key = 'change_stamp'", ct);

    /// <summary>
    /// Notes that the member's recommender signals (saves, tags, votes, marks, collections) changed, in the caller's
    /// transaction: the nightly retrain asks whose changed since its last run. The latest instant stays.
    /// </summary>
    public Task TouchSignalsAsync(DbConnection conn, DbTransaction tx, long userId, DateTimeOffset at, CancellationToken ct) =>
        ExecuteAsync(conn, tx, """
            INSERT INTO signal_changes(user_id, changed_at) VALUES (@user, @at)
            ON CONFLICT (user_id) DO UPDATE SET changed_at = CASE WHEN excluded.changed_at > signal_changes.changed_at THEN excluded.changed_at ELSE signal_changes.changed_at END
            """, ct, ("@user", userId), ("@at", at));

    public static int Int(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    public static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    public static bool Bool(DbDataReader r, int i) => !r.IsDBNull(i) && Convert.ToBoolean(r.GetValue(i), CultureInfo.InvariantCulture);

    public static long? NullableLong(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);
}
