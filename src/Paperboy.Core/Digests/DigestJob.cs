using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Paperboy.Core.Jobs;
using Paperboy.Core.Mail;

namespace Paperboy.Core.Digests;

/// <summary>Signed, non-expiring tokens naming a subscription: the manage page and one-click unsubscribe need no sign-in.</summary>
public sealed class SubscriptionTokens(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("paperboy.subscription");

    public string Create(long id) => _protector.Protect("s:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The subscription a token names; false for a token that is altered, forged or made by another site.</summary>
    public bool TryRead(string? token, out long id)
    {
        id = 0;
        if (string.IsNullOrEmpty(token) || token.Length > 1000)
            return false;
        try
        {
            var text = _protector.Unprotect(token);
            return text.StartsWith("s:", StringComparison.Ordinal) && long.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}

public sealed record DigestRunSummary(int Considered, int Queued, int Empty, int AlreadyDone, IReadOnlyList<string> Lines);

/// <summary>
/// The digest run: for every active subscription whose period has come, composes what is new since its last digest
/// and records the period with its mail in one transaction (a unique key per subscriber and period: a second run, or
/// a rerun after a crash, composes nobody twice). Empty digests are recorded and not sent. One node at a time runs it,
/// under the <c>digest</c> lease; <c>serve</c> runs it every few minutes and <c>paperboy digest run</c> on demand.
/// </summary>
public sealed class DigestJob(ISubscriptionStore subscriptions, IJobLeases leases, DigestComposer composer, SubscriptionTokens tokens, OutboxSender sender, TimeProvider clock, ILogger<DigestJob> log)
{
    public const string LeaseName = "digest";

    /// <summary>Null when another node holds the lease. With <paramref name="dryRun"/>, composes and reports without recording or sending.</summary>
    public async Task<DigestRunSummary?> RunAsync(DateTimeOffset now, string siteUrl, bool dryRun, string? onlyTo, CancellationToken ct)
    {
        // The lease runs on the clock, not on the period's instant (`--now` may name another day).
        await using var lease = dryRun ? null : await JobLease.TryTakeAsync(leases, LeaseName, clock, ct: ct);
        if (!dryRun && lease is null)
        {
            Telemetry.PaperboyMetrics.JobRan(LeaseName, "skipped");
            return null;
        }
        // Losing the lease (another node took the job over) stops the run; what is recorded stays recorded.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, lease?.Lost ?? CancellationToken.None);
        try
        {
            var summary = await RunLeasedAsync(now, siteUrl, dryRun, onlyTo, stop.Token);
            if (!dryRun)
                Telemetry.PaperboyMetrics.JobRan(LeaseName, "ok");
            return summary;
        }
        catch (OperationCanceledException) when (lease?.Lost.IsCancellationRequested == true && !ct.IsCancellationRequested)
        {
            Telemetry.PaperboyMetrics.JobRan(LeaseName, "failed");
            throw new InvalidOperationException("the digest lease was taken by another node; stopped (what is recorded stays recorded)");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Telemetry.PaperboyMetrics.JobRan(LeaseName, "failed");
            throw;
        }
    }

    private async Task<DigestRunSummary> RunLeasedAsync(DateTimeOffset now, string siteUrl, bool dryRun, string? onlyTo, CancellationToken ct)
    {
        var (considered, queued, empty, done) = (0, 0, 0, 0);
        var lines = new List<string>();
        var reads = new DigestReads();
        var fragments = new DigestRenderer.EntryFragments();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
        Task<int[]>? recording = null; // the previous batch's transaction, written while this batch is composed
        long after = 0;
        try
        {
            while (true)
            {
                var batch = await subscriptions.ListActiveAsync(after, 200, ct);
                if (batch.Count == 0)
                    break;
                after = batch[^1].Id;
                var mine = batch.Where(s => onlyTo is null || string.Equals(s.Email, onlyTo, StringComparison.OrdinalIgnoreCase)).ToList();
                considered += mine.Count;
                // Subscribers are composed on every core: each one's digest, text, HTML and finished MIME are its own, and
                // what they share (reads, rendered entries) is made once for all of them.
                var made = new (DigestRecord? Record, string? Line)[mine.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, mine.Count), parallel, async (i, token) =>
                    made[i] = await ComposeAsync(mine[i], now, siteUrl, dryRun, reads, fragments, token));
                done += made.Count(m => m.Record is null && m.Line is null);
                if (dryRun)
                {
                    lines.AddRange(made.Select(m => m.Line).OfType<string>());
                    continue;
                }
                if (recording is not null)
                    Count(await recording);
                // The batch's digests in one transaction: a crash before it loses only compositions, made again next run.
                var records = made.Select(m => m.Record).OfType<DigestRecord>().ToList();
                recording = Task.Run(() => RecordAsync(records, now, ct), ct); // the driver may well write synchronously
            }
        }
        catch when (recording is not null)
        {
            await Task.WhenAny(recording); // not left writing after the run (and its lease) ended; its own fault is moot
            throw;
        }
        if (recording is not null)
            Count(await recording);
        log.LogInformation("Digest run at {Now}: {Considered} subscriptions, {Queued} digests queued, {Empty} empty, {Done} done already", now, considered, queued, empty, done);
        return new DigestRunSummary(considered, queued, empty, done, lines);

        void Count(int[] counts)
        {
            queued += counts[0];
            empty += counts[1];
            done += counts[2];
        }
    }

    /// <summary>Records a batch, then wakes the sender: what is queued so far can go while the rest is composed. Queued, empty, done already.</summary>
    private async Task<int[]> RecordAsync(List<DigestRecord> records, DateTimeOffset now, CancellationToken ct)
    {
        var recorded = await subscriptions.RecordDigestsAsync(records, now, ct);
        sender.Wake();
        var counts = new int[3];
        for (var i = 0; i < records.Count; i++)
            counts[!recorded[i] ? 2 : records[i].Mail is null ? 1 : 0]++;
        return counts;
    }

    /// <summary>One subscriber's digest as a record to write (a dry run: a line to show instead); neither when its period is done.</summary>
    private async Task<(DigestRecord?, string?)> ComposeAsync(Subscription s, DateTimeOffset now, string siteUrl, bool dryRun, DigestReads reads, DigestRenderer.EntryFragments fragments, CancellationToken ct)
    {
        var period = DigestSchedule.Current(s.Choices, now);
        if (s.LastPeriod == period.Key)
            return (null, null);
        var token = Uri.EscapeDataString(tokens.Create(s.Id));
        var links = new DigestLinks(siteUrl, $"{siteUrl}/subscription?token={token}", $"{siteUrl}/unsubscribe?token={token}");
        var digest = await composer.ComposeAsync(s, new DigestWindow(s.DigestSince ?? s.ConfirmedAt ?? now, now, period, links), reads, ct);
        var rendered = digest.EntryCount == 0 ? null : DigestRenderer.Render(digest, fragments);
        var mail = rendered is null ? null : Message(digest, rendered, s, period, siteUrl);
        if (dryRun)
            return (null, $"{s.Email}\t{period.Key}\t{digest.EntryCount} entries" + (mail is null ? " (empty: not sent)" : "\t" + mail.Subject));
        // Made into MIME here, on this core, rather than by the sender: the row then carries the bytes it sends.
        return (new DigestRecord(s.Id, period.Key, now, mail is null ? null : sender.Finish(mail, now, rendered!.TextPieces, rendered.HtmlPieces), digest.FollowedCode), null);
    }

    /// <summary>The digest's mail; its bodies stay in the rendered pieces, which <see cref="OutboxSender.Finish"/> encodes.</summary>
    private static OutboxMessage Message(Digest digest, RenderedDigest rendered, Subscription s, DigestPeriod period, string siteUrl)
    {
        var host = Uri.TryCreate(siteUrl, UriKind.Absolute, out var u) ? u.Host : "paperboy.local";
        return new OutboxMessage("digest", s.Email, rendered.Subject, "", Key: $"digest:{s.Id}:{period.Key}")
        {
            Headers = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["List-Unsubscribe"] = $"<{digest.Links.Unsubscribe}>",
                ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
                ["List-Id"] = $"Paperboy digest <digest.{host}>",
            },
        };
    }
}
