namespace Paperboy.Core.Recommend;

/// <summary>
/// What "For you" keeps per member besides the library: the key their private feed tokens carry (a reset replaces
/// it, revoking every earlier token), and the categories picked at the start (the list falls back to them until
/// there are positives to learn from).
/// </summary>
public interface IForYouStore
{
    /// <summary>The member's feed key; <paramref name="fresh"/> becomes it when they have none yet.</summary>
    Task<string> GetOrCreateFeedKeyAsync(long userId, string fresh, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The member's feed key; null when none was made (or the member is gone).</summary>
    Task<string?> GetFeedKeyAsync(long userId, CancellationToken ct = default);

    /// <summary>Replaces the member's feed key: tokens made with the old one stop working.</summary>
    Task SetFeedKeyAsync(long userId, string key, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The member's picked categories, A to Z.</summary>
    Task<IReadOnlyList<string>> GetCategoriesAsync(long userId, CancellationToken ct = default);

    /// <summary>Replaces the member's picked categories.</summary>
    Task SetCategoriesAsync(long userId, IReadOnlyList<string> categories, DateTimeOffset at, CancellationToken ct = default);
}
