using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Digests;
using Paperboy.Core.Import;
using Paperboy.Core.Mail;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Hosting;
using Paperboy.Tests.Infrastructure;
using Paperboy.Web;
using Paperboy.Web.Digests;

namespace Paperboy.Bench;

/// <summary>
/// The digest benchmark (bench/digest.sh): N subscribers' digests composed (DigestJob) and sent (OutboxSender over
/// SMTP) to a raw SMTP sink on loopback, against a bare MailKit loop sending the same messages to the same sink.
/// </summary>
internal static class DigestBench
{
    private const string Usage =
        "usage: Paperboy.Bench digest-bench --listings DIR [--days 2025-03-24,2025-03-25,2025-03-26,2025-03-27] [--subscribers 10000] [--data DIR]";

    private static readonly string[] Queries = ["language models", "diffusion", "reinforcement learning", "graph neural networks", "quantum", "robot", "galaxy", "transformer"];

    private static readonly string[][] CategoryChoices = [["cs.CL"], ["cs.LG", "stat.ML"], ["cs.CV"], ["math.CO"], ["astro-ph.GA"], ["quant-ph"], ["cs.RO", "cs.AI"]];

    public static async Task<int> RunAsync(string[] args)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            o[args[i]] = args[i + 1];
        if (!o.TryGetValue("--listings", out var listings))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var days = (o.TryGetValue("--days", out var d) ? d : "2025-03-24,2025-03-25,2025-03-26,2025-03-27")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => DateOnly.ParseExact(x, "yyyy-MM-dd", CultureInfo.InvariantCulture)).Order().ToList();
        var count = o.TryGetValue("--subscribers", out var n) ? int.Parse(n, CultureInfo.InvariantCulture) : 10_000;
        var ownData = !o.TryGetValue("--data", out var data);
        data ??= Directory.CreateTempSubdirectory("paperboy-digest.").FullName;
        try
        {
            return await RunAsync(listings, days, count, data);
        }
        finally
        {
            if (ownData)
                Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<int> RunAsync(string listings, List<DateOnly> days, int count, string data)
    {
        await using var sink = SmtpSink.Start();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = data,
            ["Search:Semantic"] = "false",
            ["Web:PublicUrl"] = "https://papers.example.org",
            ["Digest:Enabled"] = "false",
            ["Mail:From"] = "Paperboy <digest@papers.example.org>",
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(config)
            .AddLogging(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
            .AddPaperboyCore(config)
            .AddMail(config)
            .AddDigestJob(config)
            .BuildServiceProvider();
        await using var _ = services;
        var store = services.GetRequiredService<IPaperStore>();
        await store.MigrateAsync();

        // 1. The papers and the keyword index.
        var setup = Stopwatch.StartNew();
        var files = days.Select(x => Path.Combine(listings, $"{x:yyyy-MM-dd}.jsonl.gz")).ToList();
        var imported = await new Importer(store).ImportAsync(files, new ImportOptions(), new Importing.Recorder(), CancellationToken.None);
        var engine = services.GetRequiredService<SearchEngine>();
        await engine.Upkeep.CatchUpAsync(null, CancellationToken.None, maxEmbed: 0);
        Console.Error.WriteLine($"digest: imported {imported.Counts.Read:N0} records from {files.Count} listing days, keyword index built ({setup.Elapsed.TotalSeconds:F1} s)");

        // 3. Subscribers, confirmed at T0 (noon the day before the last listing day), and ten papers of the last day
        //    featured an hour later, so the trending sections have something.
        var last = days[^1];
        var t0 = new DateTimeOffset(last.AddDays(-1).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var lastDay = await store.GetListingAsync(new ListingQuery(ListingPeriod.Day(last), null, ListingSort.Published, 0, 200));
        if (lastDay.Items.Count == 0)
        {
            Console.Error.WriteLine($"digest: {last:yyyy-MM-dd} has no listing in {listings}");
            return 1;
        }
        var authors = lastDay.Items.Select(i => i.Paper.Authors.Count > 0 ? i.Paper.Authors[0] : null).OfType<string>().Distinct(StringComparer.Ordinal).Take(50).ToList();
        var editor = await services.GetRequiredService<IUserStore>().AddUserAsync("editor@example.org", "editor", UserRole.Member);
        var daily = services.GetRequiredService<IDailyStore>();
        foreach (var item in lastDay.Items.Take(10))
            await daily.FeatureAsync(item.Paper.Id, last, editor, t0.AddHours(1));

        setup.Restart();
        var subscriptions = services.GetRequiredService<ISubscriptionStore>();
        for (var i = 0; i < count; i++)
        {
            var choices = (i % 3) switch
            {
                0 => new SubscriptionChoices { Trending = false, Searches = [new SavedSearch(Queries[i / 3 % Queries.Length], "keyword", Limit: 10)] },
                1 => new SubscriptionChoices { Trending = false, Categories = CategoryChoices[i / 3 % CategoryChoices.Length] },
                _ => new SubscriptionChoices { Trending = true, Authors = [authors[i / 3 % authors.Count]] },
            };
            var email = $"reader{i}@example.org";
            var secret = ApiTokens.NewSecret();
            var s = await subscriptions.RequestAsync(email, null, choices, ApiTokens.Hash(secret), t0, _ => new OutboxMessage("subscribe", email, "Confirm your Paperboy digest", "confirm"));
            if (await subscriptions.ConfirmAsync(s.Id, ApiTokens.Hash(secret), t0) is null)
                throw new InvalidOperationException($"{email}: the confirmation was refused");
        }
        // The confirmation mails are marked sent without sending: not part of the measure.
        var outbox = services.GetRequiredService<IOutboxStore>();
        var confirmations = 0;
        while (await outbox.ClaimAsync("bench", t0, TimeSpan.FromMinutes(5), 500) is { Count: > 0 } claimed)
        {
            foreach (var item in claimed)
                await outbox.MarkSentAsync(item.Id, t0);
            confirmations += claimed.Count;
        }
        Console.Error.WriteLine($"digest: {count:N0} subscribers confirmed at {t0:yyyy-MM-dd HH:mm} UTC ({setup.Elapsed.TotalSeconds:F1} s; {confirmations:N0} confirmation mails marked sent, not sent)");

        // 4. The morning after: compose and queue, then send until the outbox is empty.
        var now = t0.AddHours(20);
        var job = services.GetRequiredService<DigestJob>();
        var sender = services.GetRequiredService<OutboxSender>();
        var site = services.GetRequiredService<SiteUrl>().Base(null);
        GC.Collect();
        using var rss = RssSampler.Start();
        var total = Stopwatch.StartNew();
        // As `digest run` and serve do it: the sender sends each batch while the job composes the next.
        var jobTask = Task.Run(async () =>
        {
            var result = await job.RunAsync(now, site, dryRun: false, onlyTo: null, CancellationToken.None);
            return (result, total.Elapsed.TotalSeconds);
        });
        var sinkBefore = sink.Messages;
        var sent = await sender.SendAlongsideAsync(jobTask, CancellationToken.None);
        var allSeconds = total.Elapsed.TotalSeconds;
        var (summary, composeSeconds) = await jobTask;
        if (summary is null)
            throw new InvalidOperationException("the digest lease is held by another owner");
        var (sampledPeakMb, processPeakMb) = rss.Stop();
        var received = sink.Messages - sinkBefore;
        var stats = await outbox.GetStatsAsync();
        Console.Error.WriteLine($"digest: {summary.Considered:N0} subscriptions: {summary.Queued:N0} queued, {summary.Empty:N0} empty, {summary.AlreadyDone:N0} done; {sent:N0} sent, the sink received {received:N0} ({sink.Bytes / (1024.0 * 1024):F1} MB); outbox: {stats.Pending} pending, {stats.Failed} failed");

        // The outbox's sending alone: the same rows again, through the same sender, after the run.
        await ResetOutboxAsync(data);
        var sendBefore = sink.Messages;
        var sendOnly = Stopwatch.StartNew();
        while (await sender.SendDueAsync(CancellationToken.None) > 0)
        {
        }
        var sendSeconds = sendOnly.Elapsed.TotalSeconds;
        var sendReceived = sink.Messages - sendBefore;

        // 5. The same messages, prepared beforehand, over one bare MailKit connection.
        await ResetOutboxAsync(data);
        var messages = new List<MimeMessage>(summary.Queued);
        var prep = Stopwatch.StartNew();
        var items = new List<OutboxItem>();
        while (await outbox.ClaimAsync("bench-baseline", now, TimeSpan.FromHours(1), 1000) is { Count: > 0 } claimed)
            items.AddRange(claimed);
        var tClaim = prep.Elapsed.TotalSeconds;
        messages.AddRange(items.Select(sender.Compose));
        var tCompose = prep.Elapsed.TotalSeconds - tClaim;
        foreach (var m in messages)
            m.Prepare(EncodingConstraint.None); // what SendAsync does first; done here so the loop only sends
        Console.Error.WriteLine($"digest: the baseline's messages prepared (not timed in its row): outbox claim {tClaim:F2} s, MIME {tCompose:F2} s, encoding {prep.Elapsed.TotalSeconds - tClaim - tCompose:F2} s");
        var bareBefore = sink.Messages;
        var bare = Stopwatch.StartNew();
        using (var client = new SmtpClient { Timeout = 30_000 })
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, sink.Port);
            await client.ConnectAsync(socket, "127.0.0.1", sink.Port, SecureSocketOptions.None);
            foreach (var m in messages)
                await client.SendAsync(m);
            await client.DisconnectAsync(true);
        }
        var bareSeconds = bare.Elapsed.TotalSeconds;
        var bareReceived = sink.Messages - bareBefore;

        // 7. The table.
        var bareRate = bareReceived / bareSeconds;
        static string Row(string name, long messages, double seconds, double bareRate) =>
            string.Create(CultureInfo.InvariantCulture, $"{name,-30} {messages,9:N0} {seconds,9:F2} {messages / seconds,9:F1} {messages / seconds / bareRate,10:F2}x");
        var rate = received / allSeconds;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"digest benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {count:N0} subscribers (a third with a saved search, a third with categories, a third trending + an author), listings {days[0]:yyyy-MM-dd}..{last:yyyy-MM-dd}, now {now:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; SMTP: raw sink on loopback"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Considered:N0} subscriptions: {summary.Queued:N0} digests queued, {summary.Empty:N0} empty (not sent); average message {(received + bareReceived == 0 ? 0 : sink.Bytes / (double)(sink.Messages) / 1024):F1} KB"));
        Console.WriteLine();
        Console.WriteLine($"{"row",-30} {"messages",9} {"seconds",9} {"msg/s",9} {"vs bare",11}");
        Console.WriteLine(Row("digests (compose+queue+send)", received, allSeconds, bareRate));
        Console.WriteLine(Row("  of which composing+queueing", summary.Queued, composeSeconds, bareRate));
        Console.WriteLine(Row("send only (outbox, again)", sendReceived, sendSeconds, bareRate));
        Console.WriteLine(Row("bare MailKit loop", bareReceived, bareSeconds, bareRate));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak RSS during the digest run: {sampledPeakMb:F0} MB sampled every 50 ms, {processPeakMb:F0} MB VmHWM (reset before the run{(RssSampler.ResetWorked ? "" : " failed: includes the import")})"));
        var peak = Math.Max(sampledPeakMb, processPeakMb);
        Console.WriteLine($"goal >= 200 msg/s composed and sent: {(rate >= 200 ? "met" : "MISSED")} ({rate:F1})");
        Console.WriteLine($"goal >= 0.5x the bare loop: {(rate >= 0.5 * bareRate ? "met" : "MISSED")} ({rate / bareRate:F2}x)");
        Console.WriteLine($"goal RSS < 500 MB: {(peak < 500 ? "met" : "MISSED")} ({peak:F0} MB)");
        var ok = received == summary.Queued && sendReceived == received && bareReceived == messages.Count && stats.Pending == 0 && stats.Failed == 0;
        if (!ok)
            Console.WriteLine($"check: queued {summary.Queued}, received {received}, bare {bareReceived} of {messages.Count}, outbox pending {stats.Pending}, failed {stats.Failed}: MISMATCH");
        return ok ? 0 : 1;
    }

    private static async Task ResetOutboxAsync(string data)
    {
        await using var conn = new SqliteConnection($"Data Source={Path.Combine(data, "paperboy.db")}");
        await conn.OpenAsync();
        await using var reset = conn.CreateCommand();
        reset.CommandText = "UPDATE outbox SET sent_at = NULL, claimed_by = NULL, claimed_until = NULL, attempts = 0 WHERE kind = 'digest'";
        await reset.ExecuteNonQueryAsync();
    }

    /// <summary>The process's resident set: sampled every 50 ms, and the kernel's high-water mark (reset at the start).</summary>
    private sealed class RssSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<long> _loop;

        public static bool ResetWorked { get; private set; }

        private RssSampler() => _loop = Task.Run(async () =>
        {
            long peak = 0;
            using var self = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            self.Refresh();
            return Math.Max(peak, self.WorkingSet64);
        });

        public static RssSampler Start()
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM (Linux)
                ResetWorked = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                ResetWorked = false;
            }
            return new RssSampler();
        }

        public (double SampledMb, double HighWaterMb) Stop()
        {
            _stop.Cancel();
            var sampled = _loop.GetAwaiter().GetResult();
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            return (sampled / (1024.0 * 1024), self.PeakWorkingSet64 / (1024.0 * 1024));
        }

        public void Dispose() => _stop.Dispose();
    }
}
