namespace Paperboy.Core.Recommend;

/// <summary>
/// What "For you" keeps per member besides the library: the key their private feed tokens carry (a reset replaces
/// it, revoking every earlier token), and the categories picked at the start (the list falls back to them until
/// there are positives to learn from), and the nightly pass's stored lists.
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

    /// <summary>Members whose signals ever changed (so who may have some), by id after <paramref name="afterId"/>, with when they last changed.</summary>
    Task<IReadOnlyList<(long UserId, DateTimeOffset ChangedAt)>> ListSignalMembersAsync(long afterId, int limit, CancellationToken ct = default);

    /// <summary>When the member's signals last changed; null when never.</summary>
    Task<DateTimeOffset?> GetSignalsChangedAtAsync(long userId, CancellationToken ct = default);

    /// <summary>The member's list as the nightly pass stored it; null when none is.</summary>
    Task<StoredForYou?> GetStoredAsync(long userId, CancellationToken ct = default);

    /// <summary>Replaces the member's stored list, in one transaction (a pass killed midway leaves each member's list whole).</summary>
    Task SaveStoredAsync(long userId, StoredForYou list, CancellationToken ct = default);
}

/// <summary>
/// A member's list as the nightly pass stored it: the window it ranked (ending <paramref name="To"/>), when, and the
/// signals' change instant it saw (a later change makes it stale).
/// </summary>
public sealed record StoredForYou(DateOnly To, int Days, DateTimeOffset ComputedAt, DateTimeOffset SignalsAt, int Candidates, int Positives, int Negatives, IReadOnlyList<StoredRecommendation> Items);

/// <summary>One stored recommendation: the paper, its score, and why (the nearest saved papers with their similarity, the shared terms).</summary>
public sealed record StoredRecommendation(string PaperId, double Score, IReadOnlyList<(string PaperId, double Similarity)> Because, IReadOnlyList<string> SharedTerms);
