using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Paperboy.Core.Accounts;

namespace Paperboy.Storage.Sqlite;

/// <summary>Members and API tokens on SQLite.</summary>
internal sealed class SqliteUserStore(Func<CancellationToken, Task<SqliteConnection>> open) : IUserStore
{
    private const string Columns = "id, email, handle, display_name, role, created_at";
    private const string UserColumns = "u.id, u.email, u.handle, u.display_name, u.role, u.created_at";

    public async Task<User> AddUserAsync(string email, string handle, UserRole role, CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"INSERT INTO users(email, handle, role, created_at) VALUES (@email, @handle, @role, @now) RETURNING {Columns}";
        cmd.Parameters.AddWithValue("@email", email);
        cmd.Parameters.AddWithValue("@handle", handle);
        cmd.Parameters.AddWithValue("@role", role.ToString().ToLowerInvariant());
        cmd.Parameters.AddWithValue("@now", SqliteTime.Now());
        try
        {
            return (await PaperRows.ReadAllAsync(cmd, Read, ct))[0];
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: a unique index
        {
            throw new DuplicateUserException(ex.Message.Contains("users.email", StringComparison.Ordinal) || ex.Message.Contains("users_by_email", StringComparison.Ordinal)
                ? $"{email}: a member with this email exists already"
                : $"{handle}: this handle is taken", ex);
        }
    }

    public async Task<User?> FindUserByEmailAsync(string email, CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM users WHERE lower(email) = lower(@email)";
        cmd.Parameters.AddWithValue("@email", email);
        return (await PaperRows.ReadAllAsync(cmd, Read, ct)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM users ORDER BY id";
        return await PaperRows.ReadAllAsync(cmd, Read, ct);
    }

    public async Task AddApiTokenAsync(long userId, string tokenHash, CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "INSERT INTO api_tokens(hash, user_id, created_at) VALUES (@hash, @user, @now)";
        cmd.Parameters.AddWithValue("@hash", tokenHash);
        cmd.Parameters.AddWithValue("@user", userId);
        cmd.Parameters.AddWithValue("@now", SqliteTime.Now());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<User?> FindUserByApiTokenHashAsync(string tokenHash, CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {UserColumns} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = @hash";
        cmd.Parameters.AddWithValue("@hash", tokenHash);
        return (await PaperRows.ReadAllAsync(cmd, Read, ct)).FirstOrDefault();
    }

    private static User Read(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), PaperRows.NullableString(r, 3),
        Enum.Parse<UserRole>(r.GetString(4), ignoreCase: true),
        DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture));
}
