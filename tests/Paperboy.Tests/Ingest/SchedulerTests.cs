using System.Net;
using System.Text.Json;
using Paperboy.Core.Ingest;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Ingest;

public sealed class SchedulerTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static DailyIngestJob Job(DateTimeOffset now) =>
        new(null!, null!, null!, new ArxivOptions { Schedule = { AnnouncementTimeUtc = new TimeOnly(1, 30) } }, new FixedClock(now));

    private static JobRun Run(DateTimeOffset started) => new(started, started.AddMinutes(2), started.AddMinutes(2), null, 10, 5, 0, 0, null);

    [Fact]
    public void The_job_is_due_at_once_when_it_never_succeeded_or_the_last_success_is_over_a_day_old()
    {
        var now = new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);
        Assert.Equal(now, Job(now).NextDue(null));
        Assert.Equal(now, Job(now).NextDue(Run(now.AddDays(-2))));
    }

    [Fact]
    public void Otherwise_it_runs_at_the_next_announcement_time_after_the_last_start()
    {
        var now = new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 1, 30, 0, TimeSpan.Zero), Job(now).NextDue(Run(new DateTimeOffset(2026, 11, 27, 1, 31, 0, TimeSpan.Zero))));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 1, 30, 0, TimeSpan.Zero), Job(now).NextDue(Run(new DateTimeOffset(2026, 11, 26, 23, 0, 0, TimeSpan.Zero))));
    }

    [Fact]
    public async Task Serve_catches_up_at_start_up_and_records_the_run()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await using var fake = await FakeArxiv.StartAsync(new FakeArxivOptions { FeedDay = "2025-03-20" });
        var settings = Ingestion.ArxivSettings(fake, TimeSpan.Zero);
        settings["Arxiv:Schedule:Enabled"] = "true";
        await using var factory = new PaperboyFactory(db, settings);
        using var http = factory.CreateClient();
        JsonElement ingestion = default;
        for (var i = 0; i < 100; i++)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/admin/status", UriKind.Relative)));
            ingestion = doc.RootElement.GetProperty("ingestion").Clone();
            if (ingestion.GetProperty("lastSuccess").ValueKind == JsonValueKind.String && ingestion.GetProperty("nextRun").ValueKind == JsonValueKind.String
                && ingestion.GetProperty("nextRun").GetDateTimeOffset() > DateTimeOffset.UtcNow)
                break;
            await Task.Delay(100);
        }
        Assert.True(ingestion.GetProperty("fetched").GetInt64() > 0, ingestion.ToString());
        Assert.True(ingestion.GetProperty("nextRun").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Contains(fake.Requests, r => r.PathAndQuery == "/atom/cs.CL");
        Assert.Contains(fake.Requests, r => r.PathAndQuery.StartsWith("/oai?verb=ListRecords", StringComparison.Ordinal));
        using var day = await http.GetAsync(new Uri("/papers/date/2025-03-20", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, day.StatusCode);
    }

    [Fact]
    public async Task Offline_serve_records_one_clear_failure_at_start_up_and_goes_on_serving()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await using var factory = new PaperboyFactory(db, new Dictionary<string, string?>
        {
            ["Arxiv:Schedule:Enabled"] = "true",
            // .invalid never resolves (RFC 2606): what a machine without a network sees for arXiv's hosts.
            ["Arxiv:FeedUrl"] = "http://rss.arxiv.invalid/",
            ["Arxiv:OaiUrl"] = "http://oaipmh.arxiv.invalid/oai",
            ["Arxiv:RequestInterval"] = "00:00:00",
            ["Arxiv:MaxRetries"] = "5",
            ["Arxiv:RetryDelay"] = "00:00:30", // retrying would hold the run for many minutes
        });
        using var http = factory.CreateClient();
        JsonElement ingestion = default;
        for (var i = 0; i < 200; i++)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/admin/status", UriKind.Relative)));
            ingestion = doc.RootElement.GetProperty("ingestion").Clone();
            if (ingestion.GetProperty("lastError").ValueKind == JsonValueKind.String)
                break;
            await Task.Delay(100);
        }
        var error = ingestion.GetProperty("lastError").GetString();
        Assert.Contains("rss.arxiv.invalid could not be found", error, StringComparison.Ordinal);
        Assert.Contains("not retried", error, StringComparison.Ordinal);
        using var home = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task Two_nodes_over_one_postgres_run_the_daily_job_once_between_them()
    {
        await using var db = await TestStore.CreateAsync("postgres");
        await using var fake = await FakeArxiv.StartAsync(new FakeArxivOptions { FeedDay = "2025-03-20" });
        var settings = Ingestion.ArxivSettings(fake, TimeSpan.Zero);
        settings["Arxiv:Schedule:Enabled"] = "true";
        using var otherDir = new TestData.TempDir();
        var other = new Dictionary<string, string?>(settings) { ["Storage:DataDirectory"] = otherDir.Path }; // each node has its own indexes
        await using var a = new PaperboyFactory(db, settings);
        await using var b = new PaperboyFactory(db, other);
        using var httpA = a.CreateClient();
        using var httpB = b.CreateClient();
        JsonElement ingestion = default;
        for (var i = 0; i < 150; i++)
        {
            using var doc = JsonDocument.Parse(await httpB.GetStringAsync(new Uri("/api/admin/status", UriKind.Relative)));
            ingestion = doc.RootElement.GetProperty("ingestion").Clone();
            if (ingestion.GetProperty("lastSuccess").ValueKind == JsonValueKind.String && ingestion.GetProperty("nextRun").GetDateTimeOffset() > DateTimeOffset.UtcNow)
                break;
            await Task.Delay(100);
        }
        Assert.Equal(JsonValueKind.String, ingestion.GetProperty("lastSuccess").ValueKind);
        // Both started due at once; the one without the lease waited, then found the run done: one feed read in all.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(fake.Requests, r => r.PathAndQuery == "/atom/cs.CL");
        Assert.True(ingestion.GetProperty("nextRun").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(1));
    }
}
