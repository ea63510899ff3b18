using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Accounts;

public enum UserRole { Member, Admin }

/// <summary>A member. The email is kept as given (trimmed); it is unique ignoring case, and so is the handle.</summary>
public sealed record User(long Id, string Email, string Handle, string? DisplayName, UserRole Role, DateTimeOffset CreatedAt);

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

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
