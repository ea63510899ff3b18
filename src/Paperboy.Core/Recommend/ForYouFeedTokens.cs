using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Paperboy.Core.Accounts;

namespace Paperboy.Core.Recommend;

/// <summary>
/// Tokens of a member's private feeds (For you, and one per tag): signed (Data Protection) and naming the member and
/// their current feed key, so a feed reader needs no cookie, the page can show the link again at any time, and a reset
/// (a new key) revokes every token made before it. A forged, altered or revoked token reads as nobody.
/// </summary>
public sealed class ForYouFeedTokens(IDataProtectionProvider protection, IForYouStore store, TimeProvider clock)
{
    private readonly IDataProtector _protector = protection.CreateProtector("paperboy.for-you-feed");

    /// <summary>A token for the member's feeds (the key is made on first use).</summary>
    public async Task<string> TokenAsync(long userId, CancellationToken ct)
    {
        var key = await store.GetOrCreateFeedKeyAsync(userId, ApiTokens.NewSecret(), clock.GetUtcNow(), ct);
        return Protect(userId, key);
    }

    /// <summary>A new key, and a token with it; every earlier token stops working.</summary>
    public async Task<string> ResetAsync(long userId, CancellationToken ct)
    {
        var key = ApiTokens.NewSecret();
        await store.SetFeedKeyAsync(userId, key, clock.GetUtcNow(), ct);
        return Protect(userId, key);
    }

    /// <summary>The member a token names while its key is current; null for anything else.</summary>
    public async Task<long?> ReadAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1000)
            return null;
        string text;
        try
        {
            text = _protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }
        var parts = text.Split(':');
        if (parts is not ["f", var id, var key] || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var userId))
            return null;
        var current = await store.GetFeedKeyAsync(userId, ct);
        return current is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(current), Encoding.UTF8.GetBytes(key)) ? userId : null;
    }

    private string Protect(long userId, string key) => _protector.Protect($"f:{userId.ToString(CultureInfo.InvariantCulture)}:{key}");
}
