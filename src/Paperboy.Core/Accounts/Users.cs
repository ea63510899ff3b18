using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Accounts;

public enum UserRole { Member, Admin }

/// <summary>A member. The email is kept as given (trimmed); it is unique ignoring case, and so is the handle.</summary>
public sealed record User(long Id, string Email, string Handle, string? DisplayName, UserRole Role, DateTimeOffset CreatedAt)
{
    /// <summary>Set while an admin has banned the member: their comments are hidden and their votes not counted.</summary>
    public DateTimeOffset? BannedAt { get; init; }
    public string? BanReason { get; init; }
    /// <summary>Whether the profile page lists the member's upvotes.</summary>
    public bool VotesPublic { get; init; }

    public bool IsBanned => BannedAt is not null;
    public string Name => string.IsNullOrWhiteSpace(DisplayName) ? Handle : DisplayName;
}

/// <summary>What a sign-in link was made for: signing in as the address's member, or confirming a new address.</summary>
public sealed record SignInLink(string Email, string Purpose, long? UserId, string? ReturnUrl)
{
    public const string SignIn = "sign-in";
    public const string EmailChange = "email-change";
}

/// <summary>Sign-in links, profiles, account deletion and bans: the account feature's writes.</summary>
public interface IAccountStore
{
    Task<User?> FindUserByIdAsync(long id, CancellationToken ct = default);

    Task<User?> FindUserByHandleAsync(string handle, CancellationToken ct = default);

    /// <summary>Stores the link's hash and its mail in one transaction (the mail is sent from the outbox).</summary>
    Task CreateSignInLinkAsync(string hash, SignInLink link, DateTimeOffset now, DateTimeOffset expires, Mail.OutboxMessage mail, CancellationToken ct = default);

    /// <summary>Uses the link once: null when it is unknown, used already or expired.</summary>
    Task<SignInLink?> RedeemSignInLinkAsync(string hash, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Changes handle, display name and vote visibility; <see cref="DuplicateUserException"/> when the handle is taken.</summary>
    Task<User> SetProfileAsync(long id, string handle, string? displayName, bool votesPublic, CancellationToken ct = default);

    /// <summary>Changes the address (after the new one confirmed a link); <see cref="DuplicateUserException"/> when taken.</summary>
    Task<User> SetEmailAsync(long id, string email, CancellationToken ct = default);

    /// <summary>Deletes the member: votes removed (counts follow), comments kept under "deleted member".</summary>
    Task DeleteUserAsync(long id, CancellationToken ct = default);

    /// <summary>Bans (a reason) or unbans (null) a member, in the audit log; counts follow.</summary>
    Task<bool> SetBannedAsync(long userId, string? reason, long adminId, DateTimeOffset at, CancellationToken ct = default);
}

/// <summary>Members and their personal API tokens (only the tokens' hashes are stored).</summary>
public interface IUserStore
{
    /// <summary>Adds a member; <see cref="DuplicateUserException"/> when the email or the handle is taken.</summary>
    Task<User> AddUserAsync(string email, string handle, UserRole role, CancellationToken ct = default);

    Task<User?> FindUserByEmailAsync(string email, CancellationToken ct = default);

    Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct = default);

    /// <summary>Stores a token's hash for the member (see <see cref="ApiTokens"/>).</summary>
    Task AddApiTokenAsync(long userId, string tokenHash, CancellationToken ct = default);

    Task<User?> FindUserByApiTokenHashAsync(string tokenHash, CancellationToken ct = default);
}

/// <summary>The email or the handle belongs to another member already.</summary>
public sealed class DuplicateUserException(string message, Exception? inner = null) : Exception(message, inner);

public static partial class Handles
{
    [GeneratedRegex("^[a-z0-9_-]{2,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>A handle as stored: lower case, 2 to 32 of a-z, 0-9, '-' and '_'; null with the reason when it cannot be one.</summary>
    public static string? Normalize(string? input, out string problem)
    {
        var handle = (input ?? "").Trim().ToLowerInvariant();
        problem = Pattern().IsMatch(handle) ? "" : $"'{TextNormalizer.Clip(input ?? "")}' is not a handle: 2 to 32 of a-z, 0-9, '-' and '_'";
        return problem.Length == 0 ? handle : null;
    }

    /// <summary>A handle made from an email address's local part, for members added without one.</summary>
    public static string FromEmail(string email)
    {
        var local = new string(email.Split('@')[0].ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' ? c : '-').ToArray()).Trim('-');
        return local.Length >= 2 ? local[..Math.Min(32, local.Length)] : "member-" + local;
    }
}

public static class Emails
{
    /// <summary>A plausible address (one @, something on each side, a dot in the domain), trimmed; null otherwise.</summary>
    public static string? Normalize(string? input)
    {
        var email = (input ?? "").Trim();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return email.Length <= 254 && at > 0 && at == email.LastIndexOf('@') && email.IndexOf('.', at) > at + 1 && !email.EndsWith('.') && !email.Any(char.IsWhiteSpace)
            ? email
            : null;
    }
}

/// <summary>
/// Personal API tokens: 256 random bits, shown once; only a SHA-256 hash is stored, so a copy of the database does
/// not hold usable tokens.
/// </summary>
public static class ApiTokens
{
    public const string Prefix = "pb_";

    public static (string Token, string Hash) Create()
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    /// <summary>A one-time secret for a link (256 random bits, URL-safe); store only its <see cref="Hash"/>.</summary>
    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
