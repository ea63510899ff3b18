using System.Text.Json.Serialization;
using Paperboy.Core.Mail;

namespace Paperboy.Core.Digests;

/// <summary>A saved search in a subscription: any <c>/search</c> query and mode, with a floor on the score or a cap on hits.</summary>
public sealed record SavedSearch(string Q, string Mode = "hybrid", double? MinScore = null, int? Limit = null);

/// <summary>What a subscriber receives, and when (at <see cref="Hour"/> in their <see cref="TimeZone"/>).</summary>
public sealed record SubscriptionChoices
{
    public string Frequency { get; init; } = "daily";
    public int Hour { get; init; } = 7;
    public string TimeZone { get; init; } = "UTC";
    public bool Trending { get; init; } = true;
    public int TrendingCount { get; init; } = 10;
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<SavedSearch> Searches { get; init; } = [];
    public IReadOnlyList<string> Authors { get; init; } = [];
    public IReadOnlyList<string> Papers { get; init; } = [];

    [JsonIgnore]
    public bool IsEmpty => !Trending && Categories.Count == 0 && Searches.Count == 0 && Authors.Count == 0 && Papers.Count == 0;
}

/// <summary>A subscription as stored. Active: confirmed, not unsubscribed, not suspended for bounces.</summary>
public sealed record Subscription(
    long Id, string Email, long? UserId, SubscriptionChoices Choices, SubscriptionChoices? Pending,
    DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? UnsubscribedAt, DateTimeOffset? SuspendedAt,
    int Bounces, DateTimeOffset? DigestSince, string? LastPeriod, IReadOnlyDictionary<string, string>? FollowedCode = null)
{
    public bool Active => ConfirmedAt is not null && UnsubscribedAt is null && SuspendedAt is null;
}

/// <summary>Subscriptions to digests and the record of which period each was sent for.</summary>
public interface ISubscriptionStore
{
    /// <summary>
    /// Asks for a subscription (new, or new choices for an existing one): the choices wait, with the hash of the
    /// confirmation secret, and the confirmation mail (made from the row, for its id) is written in the same transaction.
    /// </summary>
    Task<Subscription> RequestAsync(string email, long? userId, SubscriptionChoices choices, string confirmHash, DateTimeOffset now,
        Func<Subscription, OutboxMessage> confirmationMail, CancellationToken ct = default);

    /// <summary>Applies the waiting choices once: null when the secret is wrong or was used already.</summary>
    Task<Subscription?> ConfirmAsync(long id, string confirmHash, DateTimeOffset now, CancellationToken ct = default);

    Task<Subscription?> GetAsync(long id, CancellationToken ct = default);

    /// <summary>New choices from the manage page (its signed link proves the address already).</summary>
    Task<Subscription?> SetChoicesAsync(long id, SubscriptionChoices choices, CancellationToken ct = default);

    /// <summary>Stops every digest; false when already unsubscribed or unknown.</summary>
    Task<bool> UnsubscribeAsync(long id, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Active subscriptions by id, from after <paramref name="afterId"/>.</summary>
    Task<IReadOnlyList<Subscription>> ListActiveAsync(long afterId, int limit, CancellationToken ct = default);

    /// <summary>
    /// Records that each digest's period is made (its mail, if not empty, into the outbox), all in one transaction:
    /// once per (subscription, period). Per record, false when another run recorded that period first.
    /// </summary>
    Task<IReadOnlyList<bool>> RecordDigestsAsync(IReadOnlyList<DigestRecord> digests, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>A permanent delivery failure to the address; the third suspends its subscription.</summary>
    Task RecordBounceAsync(string email, DateTimeOffset now, CancellationToken ct = default);
}

/// <summary>
/// A composed digest to record: the subscription, its period, the end of what it covered, its mail (null: empty), and
/// the code links of the followed papers as this digest saw them (the next one reports a link that appeared since).
/// </summary>
public sealed record DigestRecord(long SubscriptionId, string Period, DateTimeOffset CoveredUntil, OutboxMessage? Mail, IReadOnlyDictionary<string, string>? FollowedCode = null);

/// <summary>A digest the server refused for good counts as a bounce; the third suspends the subscription.</summary>
public sealed class DigestBounces(ISubscriptionStore subscriptions) : IDeliveryFailures
{
    public Task PermanentAsync(OutboxItem item, string error, DateTimeOffset at, CancellationToken ct) =>
        item.Message.Kind == "digest" ? subscriptions.RecordBounceAsync(item.Message.To, at, ct) : Task.CompletedTask;
}
