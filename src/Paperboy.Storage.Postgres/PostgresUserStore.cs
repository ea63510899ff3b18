using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Paperboy.Core.Accounts;

namespace Paperboy.Storage.Postgres;

/// <summary>Members and API tokens on PostgreSQL.</summary>
internal sealed class PostgresUserStore(Func<CancellationToken, ValueTask<NpgsqlConnection>> open) : IUserStore
{
    private const string Columns = "id, email, handle, display_name, role, created_at";
    private const string UserColumns = "u.id, u.email, u.handle, u.display_name, u.role, u.created_at";

    public async Task<User> AddUserAsync(string email, string handle, UserRole role, CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = new NpgsqlCommand($"INSERT INTO users(email, handle, role, created_at) VALUES (@email, @handle, @role, now()) RETURNING {Columns}", conn);
        cmd.Parameters.Add(new NpgsqlParameter("@email", NpgsqlDbType.Text) { Value = email });
        cmd.Parameters.Add(new NpgsqlParameter("@handle", NpgsqlDbType.Text) { Value = handle });
        cmd.Parameters.Add(new NpgsqlParameter("@role", NpgsqlDbType.Text) { Value = role.ToString().ToLowerInvariant() });
        try
        {
            return (await PaperRows.ReadAllAsync(cmd, Read, ct))[0];
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new DuplicateUserException(ex.ConstraintName == "users_by_email" ? $"{email}: a member with this email exists already" : $"{handle}: this handle is taken", ex);
        }
    }

    public async Task<User?> FindUserByEmailAsync(string email, CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM users WHERE lower(email) = lower(@email)", conn);
        cmd.Parameters.Add(new NpgsqlParameter("@email", NpgsqlDbType.Text) { Value = email });
        return (await PaperRows.ReadAllAsync(cmd, Read, ct)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM users ORDER BY id", conn);
        return await PaperRows.ReadAllAsync(cmd, Read, ct);
    }

    public async Task AddApiTokenAsync(long userId, string tokenHash, CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = new NpgsqlCommand("INSERT INTO api_tokens(hash, user_id, created_at) VALUES (@hash, @user, now())", conn);
        cmd.Parameters.Add(new NpgsqlParameter("@hash", NpgsqlDbType.Text) { Value = tokenHash });
        cmd.Parameters.Add(new NpgsqlParameter("@user", NpgsqlDbType.Bigint) { Value = userId });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<User?> FindUserByApiTokenHashAsync(string tokenHash, CancellationToken ct = default)
    {
        await using var conn = await open(ct);
        await using var cmd = new NpgsqlCommand($"SELECT {UserColumns} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = @hash", conn);
        cmd.Parameters.Add(new NpgsqlParameter("@hash", NpgsqlDbType.Text) { Value = tokenHash });
        return (await PaperRows.ReadAllAsync(cmd, Read, ct)).FirstOrDefault();
    }

    private static User Read(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), PaperRows.NullableString(r, 3),
        Enum.Parse<UserRole>(r.GetString(4), ignoreCase: true),
        r.GetFieldValue<DateTimeOffset>(5));
}
