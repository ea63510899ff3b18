using System.Data.Common;
using Paperboy.Core.Accounts;
using Paperboy.Core.Mail;

namespace Paperboy.Storage.Community;

/// <summary>Members, API tokens, sign-in links, profiles and bans, on either provider.</summary>
public sealed class SqlAccountStore(SqlContext db) : IUserStore, IAccountStore
{
    private const string Columns = "id, email, handle, display_name, role, created_at, banned_at, ban_reason, votes_public";

    public async Task<User> AddUserAsync(string email, string handle, UserRole role, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        try
        {
            return (await db.QueryAsync(conn, null, $"INSERT INTO users(email, handle, role, created_at) VALUES (@email, @handle, @role, @now) RETURNING {Columns}", Read, ct,
                ("@email", email), ("@handle", handle), ("@role", role.ToString().ToLowerInvariant()), ("@now", DateTimeOffset.UtcNow)))[0];
        }
        catch (DbException ex) when (db.UniqueViolation(ex) is { } index)
        {
            throw new DuplicateUserException(index.Contains("email", StringComparison.Ordinal) ? $"{email}: a member with this email exists already" : $"{handle}: this handle is taken", ex);
        }
    }

    public Task<User?> FindUserByEmailAsync(string email, CancellationToken ct = default) =>
        FindAsync("lower(email) = lower(@v)", email, ct);

    public Task<User?> FindUserByIdAsync(long id, CancellationToken ct = default) => FindAsync("id = @v", id, ct);

    public Task<User?> FindUserByHandleAsync(string handle, CancellationToken ct = default) =>
        FindAsync("lower(handle) = lower(@v)", handle, ct);

    private async Task<User?> FindAsync(string where, object value, CancellationToken ct)
    {
        await using var conn = await db.Open(ct);
        return (await db.QueryAsync(conn, null, $"SELECT {Columns} FROM users WHERE {where}", Read, ct, ("@v", value))).FirstOrDefault();
    }

    public async Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, $"SELECT {Columns} FROM users ORDER BY id", Read, ct);
    }

    public async Task AddApiTokenAsync(long userId, string tokenHash, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await db.ExecuteAsync(conn, null, "INSERT INTO api_tokens(hash, user_id, created_at) VALUES (@hash, @user, @now)", ct,
            ("@hash", tokenHash), ("@user", userId), ("@now", DateTimeOffset.UtcNow));
    }

    public async Task<User?> FindUserByApiTokenHashAsync(string tokenHash, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        var columns = string.Join(", ", Columns.Split(", ").Select(c => "u." + c));
        return (await db.QueryAsync(conn, null, $"SELECT {columns} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = @hash", Read, ct, ("@hash", tokenHash))).FirstOrDefault();
    }

    public async Task CreateSignInLinkAsync(string hash, SignInLink link, DateTimeOffset now, DateTimeOffset expires, OutboxMessage mail, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Old links are of no use to anyone: clear them as new ones are made.
        await db.ExecuteAsync(conn, tx, "DELETE FROM sign_in_links WHERE expires_at < @old", ct, ("@old", now.AddDays(-1)));
        await db.ExecuteAsync(conn, tx, """
            INSERT INTO sign_in_links(hash, email, purpose, user_id, return_url, created_at, expires_at)
            VALUES (@hash, @email, @purpose, @user, @return, @now, @expires)
            """, ct, ("@hash", hash), ("@email", link.Email), ("@purpose", link.Purpose), ("@user", link.UserId), ("@return", link.ReturnUrl), ("@now", now), ("@expires", expires));
        await SqlOutboxStore.InsertAsync(db, conn, tx, mail, now, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<SignInLink?> RedeemSignInLinkAsync(string hash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        // One statement: of two requests with the same link, exactly one sees used_at still empty.
        return (await db.QueryAsync(conn, null, """
            UPDATE sign_in_links SET used_at = @now
            WHERE hash = @hash AND used_at IS NULL AND expires_at > @now
            RETURNING email, purpose, user_id, return_url
            """, r => new SignInLink(r.GetString(0), r.GetString(1), SqlContext.NullableLong(r, 2), PaperRows.NullableString(r, 3)), ct,
            ("@hash", hash), ("@now", now))).FirstOrDefault();
    }

    public async Task<User> SetProfileAsync(long id, string handle, string? displayName, bool votesPublic, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var user = (await db.QueryAsync(conn, tx, $"UPDATE users SET handle = @handle, display_name = @name, votes_public = @public WHERE id = @id RETURNING {Columns}", Read, ct,
                ("@handle", handle), ("@name", displayName), ("@public", votesPublic), ("@id", id))).FirstOrDefault()
                ?? throw new InvalidOperationException($"member {id} does not exist");
            // The Daily shows the submitter's handle: it follows the member's.
            await db.ExecuteAsync(conn, tx, "UPDATE papers SET submitted_by = @handle, submitted_by_fullname = @name WHERE submitted_by_user_id = @id", ct,
                ("@handle", handle), ("@name", displayName), ("@id", id));
            await db.BumpChangeStampAsync(conn, tx, ct);
            await tx.CommitAsync(ct);
            return user;
        }
        catch (DbException ex) when (db.UniqueViolation(ex) is not null)
        {
            throw new DuplicateUserException($"{handle}: this handle is taken", ex);
        }
    }

    public async Task<User> SetEmailAsync(long id, string email, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        try
        {
            return (await db.QueryAsync(conn, null, $"UPDATE users SET email = @email WHERE id = @id RETURNING {Columns}", Read, ct, ("@email", email), ("@id", id))).FirstOrDefault()
                ?? throw new InvalidOperationException($"member {id} does not exist");
        }
        catch (DbException ex) when (db.UniqueViolation(ex) is not null)
        {
            throw new DuplicateUserException($"{email}: a member with this email exists already", ex);
        }
    }

    public async Task DeleteUserAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // A banned member's votes are not counted already; anyone else's come off the counts with them.
        await db.ExecuteAsync(conn, tx, """
            UPDATE papers SET local_upvotes = local_upvotes - 1
            WHERE id IN (SELECT v.paper_id FROM votes v JOIN users u ON u.id = v.user_id WHERE v.user_id = @id AND u.banned_at IS NULL)
            """, ct, ("@id", id));
        await db.ExecuteAsync(conn, tx, "DELETE FROM votes WHERE user_id = @id", ct, ("@id", id));
        await db.ExecuteAsync(conn, tx, "DELETE FROM comment_reports WHERE user_id = @id", ct, ("@id", id));
        await db.ExecuteAsync(conn, tx, "UPDATE papers SET submitted_by = 'deleted member', submitted_by_fullname = NULL, submitted_by_user_id = NULL WHERE submitted_by_user_id = @id", ct, ("@id", id));
        // Comments stay (replies hang on them); they read "deleted member" once the author is gone. A banned
        // member's comments were hidden by the ban: deleting the account must not show them again.
        await db.ExecuteAsync(conn, tx, """
            UPDATE comments SET hidden_at = (SELECT banned_at FROM users WHERE id = @id)
            WHERE user_id = @id AND hidden_at IS NULL AND EXISTS (SELECT 1 FROM users WHERE id = @id AND banned_at IS NOT NULL)
            """, ct, ("@id", id));
        await db.ExecuteAsync(conn, tx, "UPDATE comments SET user_id = NULL WHERE user_id = @id", ct, ("@id", id));
        await db.ExecuteAsync(conn, tx, "DELETE FROM users WHERE id = @id", ct, ("@id", id));
        await db.BumpChangeStampAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<bool> SetBannedAsync(long userId, string? reason, long adminId, DateTimeOffset at, CancellationToken ct = default)
    {
        var ban = reason is not null;
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = ban
            ? await db.ExecuteAsync(conn, tx, "UPDATE users SET banned_at = @at, ban_reason = @reason WHERE id = @id AND banned_at IS NULL", ct, ("@at", at), ("@reason", reason), ("@id", userId))
            : await db.ExecuteAsync(conn, tx, "UPDATE users SET banned_at = NULL, ban_reason = NULL WHERE id = @id AND banned_at IS NOT NULL", ct, ("@id", userId));
        if (changed == 0)
            return false;
        // Their votes stop (or start again) counting; their comments' counts are recounted.
        await db.ExecuteAsync(conn, tx, $"UPDATE papers SET local_upvotes = local_upvotes {(ban ? "-" : "+")} 1 WHERE id IN (SELECT paper_id FROM votes WHERE user_id = @id)", ct, ("@id", userId));
        await db.ExecuteAsync(conn, tx, $"UPDATE papers SET local_comments = ({SqlCommentStore.VisibleCount}) WHERE id IN (SELECT paper_id FROM comments WHERE user_id = @id)", ct, ("@id", userId));
        await SqlCommentStore.AuditAsync(db, conn, tx, adminId, ban ? "ban" : "unban", $"user:{userId}", reason, at, ct);
        await db.BumpChangeStampAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    internal static User Read(DbDataReader r) => new(
        SqlContext.Long(r.GetValue(0)), r.GetString(1), r.GetString(2), PaperRows.NullableString(r, 3),
        Enum.Parse<UserRole>(r.GetString(4), ignoreCase: true),
        PaperRows.ReadInstant(r, 5)!.Value)
    {
        BannedAt = PaperRows.ReadInstant(r, 6),
        BanReason = PaperRows.NullableString(r, 7),
        VotesPublic = SqlContext.Bool(r, 8),
    };
}
