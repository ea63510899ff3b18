namespace Paperboy.Core.Mail;

/// <summary>
/// One message to send. It is written to the outbox in the same transaction as what caused it (a sign-in link, a
/// digest), so a crash after that commit loses nothing: the sender finds it there. <paramref name="Key"/>, when set,
/// makes the message unique (a second enqueue with the same key is a no-op).
/// </summary>
public sealed record OutboxMessage(string Kind, string To, string Subject, string TextBody, string? HtmlBody = null, string? Key = null)
{
    /// <summary>Extra headers (List-Unsubscribe, List-Unsubscribe-Post, List-Id).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>
    /// The finished message (headers, both parts, 7-bit encoded, signed when DKIM is on), made when it was queued by
    /// <see cref="OutboxSender.Finish"/>; the sender hands these bytes over as they are. The bodies and headers above
    /// are then empty: the bytes carry them.
    /// </summary>
    public byte[]? Mime { get; init; }
}

/// <summary>A message claimed for sending, with how many times it has been tried (this try included).</summary>
public sealed record OutboxItem(long Id, OutboxMessage Message, int Attempts, DateTimeOffset CreatedAt);

public sealed record OutboxStats(long Pending, long Sent, long Failed, DateTimeOffset? OldestPending, string? LastError = null);

/// <summary>
/// The mail outbox. Claims are leases (a node writes its name and an expiry), so several nodes share the work and a
/// message claimed by a node that died is taken again when the claim runs out.
/// </summary>
public interface IOutboxStore
{
    /// <summary>Enqueues a message on its own (its cause is already stored, or there is none).</summary>
    Task EnqueueAsync(OutboxMessage message, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Claims up to <paramref name="limit"/> due messages for <paramref name="node"/> until <paramref name="now"/> + <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<OutboxItem>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct = default);

    Task MarkSentAsync(long id, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Marks a batch sent in one statement (a crash before it resends at most that batch; Message-IDs fold the copies).</summary>
    Task MarkSentAsync(IReadOnlyList<long> ids, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>A temporary failure: tried again from <paramref name="retryAt"/>.</summary>
    Task MarkRetryAsync(long id, string error, DateTimeOffset retryAt, CancellationToken ct = default);

    /// <summary>A permanent failure (the server refused the message or the address): never tried again.</summary>
    Task MarkFailedAsync(long id, string error, DateTimeOffset at, CancellationToken ct = default);

    Task<OutboxStats> GetStatsAsync(CancellationToken ct = default);
}

/// <summary>Told of each message the server refused for good (a 5xx), so its feature can act (a digest's bounce count).</summary>
public interface IDeliveryFailures
{
    Task PermanentAsync(OutboxItem item, string error, DateTimeOffset at, CancellationToken ct);
}
