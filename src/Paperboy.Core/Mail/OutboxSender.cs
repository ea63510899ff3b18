using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace Paperboy.Core.Mail;

/// <summary>
/// Delivers the outbox: claims due messages (a lease, so other nodes pass over them), sends them over one
/// connection, marks each sent, retried later (temporary failures, with doubling waits) or failed (a permanent
/// refusal, or too many tries). A crash between the server's acceptance and the mark sends that message again once
/// its claim runs out; its Message-ID is the same, so mail clients fold the copy.
/// </summary>
public sealed class OutboxSender(
    IOutboxStore outbox, IOptions<MailOptions> options, Func<IMailTransport> transports, IEnumerable<IDeliveryFailures> failures, TimeProvider clock, ILogger<OutboxSender> log) : IDisposable
{
    private const int Batch = 50;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly System.Threading.RateLimiting.RateLimiter? _pace = options.Value.MaxPerMinute > 0
        ? new System.Threading.RateLimiting.TokenBucketRateLimiter(new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.Value.MaxPerMinute / 6),
            TokensPerPeriod = Math.Max(1, options.Value.MaxPerMinute / 6),
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            QueueLimit = int.MaxValue,
        })
        : null;
    private readonly DkimSigner? _dkim = options.Value.Dkim.Enabled
        ? new DkimSigner(options.Value.Dkim.PrivateKeyPath!, options.Value.Dkim.Domain!, options.Value.Dkim.Selector!)
        {
            HeaderCanonicalizationAlgorithm = MimeKit.Cryptography.DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = MimeKit.Cryptography.DkimCanonicalizationAlgorithm.Relaxed,
        }
        : null;

    private MailboxAddress? _from;

    /// <summary>This process, as written on the messages it claims.</summary>
    public string Node { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Asks the running loop to look now (a message was just enqueued).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already awake
        }
    }

    /// <summary>Runs until stopped: sends what is due, then waits for a wake-up or the poll interval.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "The outbox could not be read; trying again shortly");
            }
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(options.Value.PollSeconds), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends while <paramref name="producer"/> (a job queueing mail, which calls <see cref="Wake"/>) runs, and what is
    /// due once it has finished: sending overlaps composing, as in <c>serve</c>. Returns how many were handed over.
    /// </summary>
    public async Task<int> SendAlongsideAsync(Task producer, CancellationToken ct)
    {
        var sent = 0;
        while (true)
        {
            var finished = producer.IsCompleted;
            sent += await SendDueAsync(ct);
            if (finished)
                return sent;
            await Task.WhenAny(producer, _wake.WaitAsync(TimeSpan.FromSeconds(options.Value.PollSeconds), ct));
        }
    }

    /// <summary>Sends every message due now; returns how many were handed over.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var sent = 0;
        // One SMTP connection for the whole pass (it reconnects by itself after a network error).
        await using var transport = transports();
        // Unpaced, one batch ahead: while a batch goes over the connection, the next is claimed and made into MIME on
        // another core. Stopped midway, the batch ahead stays claimed until its claim runs out (Mail:ClaimSeconds).
        // Paced (Mail:MaxPerMinute), a batch may take long enough that a claim made a batch early could run out
        // before its turn, and another sender would take it too: no lookahead there (pacing sets the speed anyway).
        var lookahead = _pace is null;
        var next = ClaimAndComposeAsync(ct);
        while (true)
        {
            var items = await next;
            if (items.Count == 0)
            {
                if (sent > 0)
                    Telemetry.PaperboyMetrics.JobRan("outbox", "ok");
                return sent;
            }
            next = lookahead ? ClaimAndComposeAsync(ct) : Task.FromResult(new List<(OutboxItem, MimeMessage)>());
            var done = new List<long>(items.Count);
            try
            {
                await SendBatchAsync(transport, items, done, ct);
            }
            catch
            {
                await next.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default); // not left running unobserved
                throw;
            }
            finally
            {
                // The batch's accepted messages are marked in one statement, also when the pass is stopped midway: a
                // crash before it resends at most this batch, and the fixed Message-IDs fold those copies.
                await outbox.MarkSentAsync(done, clock.GetUtcNow(), CancellationToken.None);
            }
            sent += done.Count;
            if (!lookahead)
                next = ClaimAndComposeAsync(ct);
        }
    }

    private Task<List<(OutboxItem Item, MimeMessage Mime)>> ClaimAndComposeAsync(CancellationToken ct) => Task.Run(async () =>
    {
        var items = await outbox.ClaimAsync(Node, clock.GetUtcNow(), TimeSpan.FromSeconds(options.Value.ClaimSeconds), Batch, ct);
        return items.Select(i => (i, Compose(i))).ToList();
    }, ct);

    private async Task SendBatchAsync(IMailTransport transport, IReadOnlyList<(OutboxItem Item, MimeMessage Mime)> batch, List<long> done, CancellationToken ct)
    {
        foreach (var (item, mime) in batch)
        {
            try
            {
                if (_pace is not null)
                    using (await _pace.AcquireAsync(1, ct)) { } // Mail:MaxPerMinute
                await transport.SendAsync(mime, ct);
                done.Add(item.Id);
                Telemetry.PaperboyMetrics.MailsSent.Add(1, new KeyValuePair<string, object?>("kind", item.Message.Kind));
            }
            catch (MailDeliveryException ex) when (ex.Permanent || item.Attempts >= options.Value.MaxAttempts)
            {
                log.LogWarning("Mail {Id} ({Kind}) to {To} failed for good after {Attempts} tries: {Error}", item.Id, item.Message.Kind, item.Message.To, item.Attempts, ex.Message);
                await outbox.MarkFailedAsync(item.Id, ex.Message, clock.GetUtcNow(), ct);
                Telemetry.PaperboyMetrics.MailsFailed.Add(1, new KeyValuePair<string, object?>("kind", item.Message.Kind));
                if (ex.Permanent)
                    foreach (var handler in failures)
                        await handler.PermanentAsync(item, ex.Message, clock.GetUtcNow(), ct);
            }
            catch (MailDeliveryException ex)
            {
                var wait = RetryDelay(item.Attempts);
                log.LogWarning("Mail {Id} ({Kind}) to {To} not sent (try {Attempts}), again in {Wait}: {Error}", item.Id, item.Message.Kind, item.Message.To, item.Attempts, wait, ex.Message);
                await outbox.MarkRetryAsync(item.Id, ex.Message, clock.GetUtcNow() + wait, ct);
            }
        }
    }

    public void Dispose()
    {
        _wake.Dispose();
        _pace?.Dispose();
    }

    /// <summary>30 s, 1 min, 2 min, … doubling, at most six hours.</summary>
    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(6 * 3600, options.Value.RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>
    /// The MIME message for an outbox row: the finished bytes it was queued with, or else made now from its text, HTML
    /// and headers; only the headers parsed, so sending writes the bytes as they are.
    /// </summary>
    public MimeMessage Compose(OutboxItem item) => FinishedMessage.Open(Bytes(item));

    /// <summary>The finished bytes of an outbox row: stored with it, or else made now from its text, HTML and headers.</summary>
    public byte[] Bytes(OutboxItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Message.Mime ?? Write(item.Message, item.Id, item.CreatedAt, null, null);
    }

    /// <summary>
    /// The message made into its finished bytes now (<see cref="OutboxMessage.Mime"/>), for a producer that queues many
    /// on cores of its own (the digest run): the sender then only hands them over. The bytes are what
    /// <see cref="Compose"/> would make from the row: the Message-ID comes from the <see cref="OutboxMessage.Key"/> (so one
    /// is needed) and the Date is <paramref name="queuedAt"/>, the instant the row is written with. The bodies may come
    /// in pieces instead (<paramref name="text"/>, <paramref name="html"/>), as a renderer made them: then the message's
    /// own are not read.
    /// </summary>
    public OutboxMessage Finish(OutboxMessage m, DateTimeOffset queuedAt, IReadOnlyList<BodyPiece>? text = null, IReadOnlyList<BodyPiece>? html = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m.Key is null)
            throw new ArgumentException("A message is finished before it is queued only with a key: its Message-ID comes from the key, not the row.", nameof(m));
        return m with { TextBody = "", HtmlBody = null, Headers = null, Mime = Write(m, 0, queuedAt, text, html) };
    }

    /// <summary>Finished messages are kept as they travel: CRLF line ends.</summary>
    private static readonly FormatOptions Wire = new() { NewLineFormat = NewLineFormat.Dos };

    // "=_" never occurs in quoted-printable text (a literal '=' is always "=XX" or a soft break): a fixed boundary cannot
    // collide with a body, so none is drawn or searched for.
    private const string Boundary = "=_paperboy_alternative";
    private const string TextPartHeaders = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
    private const string HtmlPartHeaders = "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";

    private static readonly HeaderId[] Signed = [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.ListUnsubscribe, HeaderId.ListUnsubscribePost, HeaderId.ListId];

    /// <summary>
    /// The message as it travels: MimeKit writes the headers (folding, encoded words); the bodies are UTF-8 text parts,
    /// quoted-printable encoded by the caller in one pass (<see cref="QuotedPrintable"/>): 7-bit, so right for any server and for a
    /// DKIM signature, with nothing left for MimeKit or the SMTP client to choose or re-encode. The text alone, or text
    /// and HTML as multipart/alternative. A Message-ID fixed by the key (or else the row); signed when DKIM is on.
    /// </summary>
    private byte[] Write(OutboxMessage m, long id, DateTimeOffset createdAt, IReadOnlyList<BodyPiece>? textPieces, IReadOnlyList<BodyPiece>? htmlPieces)
    {
        // A header list of our own (MimeMessage's constructor makes a Message-ID and a Date only to have them replaced).
        var configured = _from ??= MailboxAddress.Parse(options.Value.From);
        var headers = new HeaderList();
        headers.Add(HeaderId.From, configured.ToString(encode: false));
        headers.Add(HeaderId.Date, MimeKit.Utils.DateUtils.FormatDate(createdAt.ToUniversalTime()));
        headers.Add(HeaderId.Subject, m.Subject);
        var domain = configured.Address.Contains('@', StringComparison.Ordinal) ? configured.Address[(configured.Address.IndexOf('@', StringComparison.Ordinal) + 1)..] : "paperboy.local";
        headers.Add(HeaderId.MessageId, $"<{(m.Key is { } key ? "k-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..24] : "o-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture))}@{domain}>");
        headers.Add(HeaderId.To, MailboxAddress.Parse(m.To).ToString(encode: false));
        foreach (var (name, value) in m.Headers ?? new Dictionary<string, string>())
            headers.Add(name, value);
        headers.Add(HeaderId.MimeVersion, "1.0");

        var html = htmlPieces is not null || m.HtmlBody is not null;
        using var buffer = new MemoryStream((textPieces?.Sum(p => p.Text.Length) ?? m.TextBody.Length) * 11 / 10 + (htmlPieces?.Sum(p => p.Text.Length) ?? m.HtmlBody?.Length ?? 0) * 11 / 10 + 4096);
        void Ascii(string s) => buffer.Write(System.Text.Encoding.ASCII.GetBytes(s));
        void Body(IReadOnlyList<BodyPiece>? pieces, string? whole)
        {
            if (pieces is not null)
                QuotedPrintable.EncodeTo(buffer, pieces);
            else
                QuotedPrintable.EncodeTo(buffer, whole ?? "");
        }
        if (!html)
        {
            headers.Add(HeaderId.ContentType, "text/plain; charset=utf-8");
            headers.Add(HeaderId.ContentTransferEncoding, "quoted-printable");
            headers.WriteTo(Wire, buffer); // with the blank line that ends them
            Body(textPieces, m.TextBody);
            Ascii("\r\n");
        }
        else
        {
            headers.Add(HeaderId.ContentType, $"multipart/alternative; boundary=\"{Boundary}\"");
            headers.WriteTo(Wire, buffer);
            Ascii($"--{Boundary}\r\n{TextPartHeaders}");
            Body(textPieces, m.TextBody);
            Ascii($"\r\n--{Boundary}\r\n{HtmlPartHeaders}");
            Body(htmlPieces, m.HtmlBody);
            Ascii($"\r\n--{Boundary}--\r\n");
        }
        if (_dkim is null)
            return buffer.ToArray();
        // Signed as it travels (7-bit bodies, so no relay re-encodes what the signature covers).
        buffer.Position = 0;
        var signed = MimeMessage.Load(buffer, persistent: true);
        _dkim.Sign(signed, Signed);
        using var output = new MemoryStream((int)buffer.Length + 1024);
        signed.WriteTo(Wire, output);
        return output.ToArray();
    }
}
