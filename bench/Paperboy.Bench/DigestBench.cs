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
        "usage: Paperboy.Bench digest-bench --listings DIR [--days 2025-03-24,2025-03-25,2025-03-26,2025-03-27] [--subscribers 10000] [--rounds 4] [--data DIR]";

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
        var rounds = o.TryGetValue("--rounds", out var rs) ? int.Parse(rs, CultureInfo.InvariantCulture) : 4;
        var ownData = !o.TryGetValue("--data", out var data);
        data ??= Directory.CreateTempSubdirectory("paperboy-digest.").FullName;
        try
        {
            return await RunAsync(listings, days, count, rounds, data);
        }
        finally
        {
            if (ownData)
                Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<int> RunAsync(string listings, List<DateOnly> days, int count, int rounds, string data)
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

        // 4. The morning after, ROUNDS times in this process: each round composes and sends every digest (the job and the
        //    sender together, as in serve), then sends the same outbox rows again (sending alone), then the same
        //    messages over a bare MailKit loop; between rounds the digests are undone. The first round runs on cold code
        //    (the JIT compiles and re-compiles as it goes); it is shown, and the medians of the rest are the result: a
        //    serve process composes its digests every day on code that is warm, as the bare loop's, run last, always was.
        var now = t0.AddHours(20);
        var job = services.GetRequiredService<DigestJob>();
        var sender = services.GetRequiredService<OutboxSender>();
        var site = services.GetRequiredService<SiteUrl>().Base(null);
        await SnapshotSubscriptionsAsync(data);
        var results = new List<Round>();
        for (var r = 0; r < rounds; r++)
        {
            if (r > 0)
                await UndoDigestsAsync(data);
            var round = await RunRoundAsync(data, sink, job, sender, outbox, site, now);
            results.Add(round);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"digest: round {r + 1}{(r == 0 ? " (cold)" : "")}: all {round.AllSeconds:F2} s ({round.AllCpu:F1} CPU-s, {round.SentWhileComposing:N0} sent while composing), composing {round.ComposeSeconds:F2} s, send only {round.SendSeconds:F2} s, bare {round.BareSeconds:F2} s: {round.Ratio:F2}x"));
            if (round.Problem is { } problem)
            {
                Console.WriteLine($"check: round {r + 1}: {problem}: MISMATCH");
                return 1;
            }
        }

        // 5. The table: the first (cold) round, then the medians of the warm ones.
        var cold = results[0];
        var warm = results.Count > 1 ? results.Skip(1).ToList() : results;
        static double Median(IEnumerable<double> xs)
        {
            var sorted = xs.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
        var messages = cold.Messages;
        var all = Median(warm.Select(x => x.AllSeconds));
        var compose = Median(warm.Select(x => x.ComposeSeconds));
        var sendOnly = Median(warm.Select(x => x.SendSeconds));
        var bare = Median(warm.Select(x => x.BareSeconds));
        var bareRate = messages / bare;
        string Row(string name, double seconds) =>
            string.Create(CultureInfo.InvariantCulture, $"{name,-34} {messages,9:N0} {seconds,9:F2} {messages / seconds,9:F1} {messages / seconds / bareRate,10:F2}x");
        var rate = messages / all;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"digest benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {count:N0} subscribers (a third with a saved search, a third with categories, a third trending + an author), listings {days[0]:yyyy-MM-dd}..{last:yyyy-MM-dd}, now {now:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; SMTP: raw sink on loopback"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{cold.Summary.Considered:N0} subscriptions: {cold.Summary.Queued:N0} digests queued, {cold.Summary.Empty:N0} empty (not sent); average message {sink.Bytes / (double)sink.Messages / 1024:F1} KB; {rounds} rounds in one process, the first on cold code"));
        Console.WriteLine();
        Console.WriteLine($"{"row (median of the warm rounds)",-34} {"messages",9} {"seconds",9} {"msg/s",9} {"vs bare",11}");
        Console.WriteLine(Row("digests (compose+queue+send)", all));
        Console.WriteLine(Row("  of which composing+queueing", compose));
        Console.WriteLine(Row("send only (outbox, again)", sendOnly));
        Console.WriteLine(Row("bare MailKit loop", bare));
        Console.WriteLine(Row("first round, cold: digests", cold.AllSeconds));
        Console.WriteLine(Row("first round, cold: bare loop", cold.BareSeconds));
        Console.WriteLine();
        Console.WriteLine("per round: digests s / bare s = ratio; CPU-s of the digest run (all threads, the sink's included); sent while composing; peak RSS");
        for (var r = 0; r < results.Count; r++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {r + 1}{(r == 0 ? " (cold)" : ""),-7} {results[r].AllSeconds,6:F2} / {results[r].BareSeconds,5:F2} = {results[r].Ratio:F2}x; {results[r].AllCpu,5:F1} CPU-s; {results[r].SentWhileComposing,5:N0}; {Math.Max(results[r].SampledPeakMb, results[r].HighWaterMb):F0} MB"));
        var sampled = results.Max(x => x.SampledPeakMb);
        var highWater = results.Max(x => x.HighWaterMb);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak RSS during the digest runs: {sampled:F0} MB sampled every 50 ms, {highWater:F0} MB VmHWM (reset before each run{(RssSampler.ResetWorked ? "" : " failed: includes the import")})"));
        var peak = Math.Max(sampled, highWater);
        Console.WriteLine($"goal >= 200 msg/s composed and sent: {(rate >= 200 ? "met" : "MISSED")} ({rate:F1})");
        Console.WriteLine($"goal >= 0.5x the bare loop: {(rate >= 0.5 * bareRate ? "met" : "MISSED")} ({rate / bareRate:F2}x)");
        Console.WriteLine($"goal RSS < 500 MB: {(peak < 500 ? "met" : "MISSED")} ({peak:F0} MB)");
        return 0;
    }

    private sealed record Round(DigestRunSummary Summary, int Messages, double AllSeconds, double AllCpu, double ComposeSeconds, long SentWhileComposing,
        double SendSeconds, double BareSeconds, double SampledPeakMb, double HighWaterMb, string? Problem)
    {
        public double Ratio => BareSeconds / AllSeconds;
    }

    private static async Task<Round> RunRoundAsync(string data, SmtpSink sink, DigestJob job, OutboxSender sender, IOutboxStore outbox, string site, DateTimeOffset now)
    {
        // As little left over from the round before as the GC can give back: the run's own footprint is measured.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers(); // the baseline's client and socket are finalised only now, and let go of its messages
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var rss = RssSampler.Start();
        var sinkBefore = sink.Messages;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        // As `digest run` and serve do it: the sender sends each batch while the job composes the next.
        var jobTask = Task.Run(async () =>
        {
            var result = await job.RunAsync(now, site, dryRun: false, onlyTo: null, CancellationToken.None);
            return (result, total.Elapsed.TotalSeconds, sink.Messages - sinkBefore);
        });
        var sent = await sender.SendAlongsideAsync(jobTask, CancellationToken.None);
        var allSeconds = total.Elapsed.TotalSeconds;
        var allCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var (summary, composeSeconds, sentWhileComposing) = await jobTask;
        if (summary is null)
            throw new InvalidOperationException("the digest lease is held by another owner");
        var (sampledPeakMb, highWaterMb) = rss.Stop();
        var received = sink.Messages - sinkBefore;
        var stats = await outbox.GetStatsAsync();

        // The outbox's sending alone: the same rows again, through the same sender, after the run.
        await ResetOutboxAsync(data, outbox, now);
        var sendBefore = sink.Messages;
        var sendOnly = Stopwatch.StartNew();
        while (await sender.SendDueAsync(CancellationToken.None) > 0)
        {
        }
        var sendSeconds = sendOnly.Elapsed.TotalSeconds;
        var sendReceived = sink.Messages - sendBefore;

        // The same messages, prepared beforehand (not timed), over one bare MailKit connection.
        var items = await ResetOutboxAsync(data, outbox, now);
        // parsed as any MailKit user holds a message (the sender itself parses only the headers: FinishedMessage)
        var messages = items.Select(i => MimeMessage.Load(new MemoryStream(sender.Bytes(i), writable: false), persistent: true)).ToList();
        foreach (var m in messages)
            m.Prepare(EncodingConstraint.None); // what SendAsync does first; done here so the loop only sends
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
        // The baseline's claim marked nothing sent; mark them now so the next round's digests are the only ones due.
        await outbox.MarkSentAsync([.. items.Select(i => i.Id)], now);

        var problem = received == summary.Queued && sendReceived == received && bareReceived == messages.Count && stats.Pending == 0 && stats.Failed == 0
            ? null
            : $"queued {summary.Queued}, received {received}, send only {sendReceived}, bare {bareReceived} of {messages.Count}, outbox pending {stats.Pending}, failed {stats.Failed}";
        return new Round(summary, (int)received, allSeconds, allCpu, composeSeconds, sentWhileComposing, sendSeconds, bareSeconds, sampledPeakMb, highWaterMb, problem);
    }

    /// <summary>The digests sent are made due again (unsent, unclaimed) and, claimed for the caller, returned.</summary>
    private static async Task<List<OutboxItem>> ResetOutboxAsync(string data, IOutboxStore outbox, DateTimeOffset now)
    {
        await ExecuteAsync(data, "UPDATE outbox SET sent_at = NULL, claimed_by = NULL, claimed_until = NULL, attempts = 0 WHERE kind = 'digest' AND sent_at IS NOT NULL");
        var items = new List<OutboxItem>();
        while (await outbox.ClaimAsync("bench-baseline", now, TimeSpan.FromSeconds(1), 1000) is { Count: > 0 } claimed)
            items.AddRange(claimed);
        // Released again: the claim above only read them (the send-only pass claims them for itself).
        await ExecuteAsync(data, "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL, attempts = 0 WHERE kind = 'digest' AND sent_at IS NULL");
        return items;
    }

    /// <summary>The subscriptions' digest state before the first round, kept to be put back between rounds.</summary>
    private static Task SnapshotSubscriptionsAsync(string data) =>
        ExecuteAsync(data, "DROP TABLE IF EXISTS bench_subscriptions; CREATE TABLE bench_subscriptions AS SELECT id, last_period, digest_since, followed_code FROM subscriptions");

    /// <summary>A round's digests undone: their mail deleted, the subscriptions as they were before the first round.</summary>
    private static Task UndoDigestsAsync(string data) => ExecuteAsync(data, """
        DELETE FROM outbox_content WHERE outbox_id IN (SELECT id FROM outbox WHERE kind = 'digest');
        DELETE FROM outbox WHERE kind = 'digest';
        UPDATE subscriptions SET last_period = b.last_period, digest_since = b.digest_since, followed_code = b.followed_code
        FROM bench_subscriptions b WHERE b.id = subscriptions.id;
        PRAGMA wal_checkpoint(TRUNCATE);
        """);

    private static async Task ExecuteAsync(string data, string sql)
    {
        await using var conn = new SqliteConnection($"Data Source={Path.Combine(data, "paperboy.db")}");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
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
