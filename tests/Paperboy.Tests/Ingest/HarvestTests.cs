using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Ingest;

/// <summary>The real arXiv clients over HTTP against the local arXiv, storing into each provider.</summary>
public abstract class HarvestTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private static readonly string[] Days = ["2025-03-18", "2025-03-19", "2025-03-20"];
    private static readonly DateOnly FirstDay = new(2025, 3, 18);

    private TestStore _db = null!;
    private readonly List<IAsyncDisposable> _owned = [];

    public async Task InitializeAsync() => _db = await TestStore.CreateAsync(Provider);

    public async Task DisposeAsync()
    {
        foreach (var d in _owned)
            await d.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<(FakeArxiv Fake, ServiceProvider Services)> StartAsync(FakeArxivOptions options)
    {
        var fake = await FakeArxiv.StartAsync(options);
        var services = Ingestion.Services(_db, fake);
        _owned.Add(services);
        _owned.Add(fake);
        return (fake, services);
    }

    [Fact]
    public async Task A_multi_page_harvest_stores_every_record_once_and_the_next_run_continues_from_there()
    {
        var (fake, services) = await StartAsync(new FakeArxivOptions { ListingDays = Days, PageSize = 100 });
        var harvester = services.GetRequiredService<OaiHarvester>();
        var expected = Ingestion.IdsInGroup("cs", Days);

        var first = await harvester.HarvestAsync("cs", FirstDay, null, "arXivRaw", new Ingestion.Lines(), CancellationToken.None);
        Assert.Equal(expected.Count, first.Fetched);
        Assert.Equal(expected.Count, first.Counts.Added);
        Assert.Equal((expected.Count + 99) / 100, first.Requests);
        Assert.Equal(expected.Count, (await _db.Store.GetStatusAsync()).Papers);
        Assert.True(fake.Requests.Skip(1).All(r => r.PathAndQuery.Contains("resumptionToken=", StringComparison.Ordinal)));

        var state = (await harvester.GetStateAsync("cs", "arXivRaw", CancellationToken.None))!;
        Assert.Null(state.ResumptionToken);
        Assert.Equal(new DateOnly(2025, 3, 20), state.LastDatestamp);

        // Version history from arXivRaw: some papers have a v2 with its own date.
        var sample = await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Week(2025, 12), null, ListingSort.Published, 0, 5000));
        var twoVersions = sample.Items.Select(i => i.Paper).Where(p => p.Versions.Count == 2).ToList();
        Assert.NotEmpty(twoVersions);
        Assert.All(twoVersions, p => Assert.Equal(2, p.Version));
        Assert.All(twoVersions, p => Assert.True(p.Versions[1].CreatedAt > p.Versions[0].CreatedAt));

        // The next run starts at the last datestamp harvested and changes nothing.
        var before = fake.Requests.Count;
        var second = await harvester.HarvestAsync("cs", null, null, "arXivRaw", new Ingestion.Lines(), CancellationToken.None);
        Assert.Contains("from=2025-03-20", fake.Requests[before].PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(0, second.Counts.Added + second.Counts.Updated);
        Assert.Equal(expected.Count, (await _db.Store.GetStatusAsync()).Papers);
    }

    [Fact]
    public async Task A_malformed_page_stops_with_an_error_naming_it_keeps_good_pages_and_the_harvest_resumes()
    {
        var (fake, services) = await StartAsync(new FakeArxivOptions { ListingDays = Days, PageSize = 100, MalformedOnPage = 3 });
        var harvester = services.GetRequiredService<OaiHarvester>();
        var expected = Ingestion.IdsInGroup("cs", Days);

        var error = await Assert.ThrowsAsync<ArxivFormatException>(() => harvester.HarvestAsync("cs", FirstDay, null, "arXivRaw", new Ingestion.Lines(), CancellationToken.None));
        Assert.Matches(@"^OAI-PMH set cs, page 3 \(resumptionToken [^)]+\): malformed XML at line \d+", error.Message);
        Assert.Equal(200, (await _db.Store.GetStatusAsync()).Papers);
        var state = (await harvester.GetStateAsync("cs", "arXivRaw", CancellationToken.None))!;
        Assert.Equal(3, state.NextPage);
        Assert.NotNull(state.ResumptionToken);

        var resumed = await harvester.HarvestAsync("cs", null, null, "arXivRaw", new Ingestion.Lines(), CancellationToken.None);
        Assert.Equal(expected.Count - 200, resumed.Counts.Added);
        Assert.Equal(expected.Count, (await _db.Store.GetStatusAsync()).Papers);
        Assert.Contains(state.ResumptionToken!, fake.Requests[^((expected.Count + 99) / 100 - 2)].PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_breaks_off_is_fetched_again()
    {
        var (fake, services) = await StartAsync(new FakeArxivOptions { ListingDays = Days, PageSize = 100, BreakOffOnPage = 2 });
        var summary = await services.GetRequiredService<OaiHarvester>().HarvestAsync("cs", FirstDay, null, "arXiv", new Ingestion.Lines(), CancellationToken.None);
        Assert.Equal(Ingestion.IdsInGroup("cs", Days).Count, summary.Counts.Added);
        Assert.Contains(fake.Requests, r => r.Fault == "break-off");
    }

    [Fact]
    public async Task Xml_with_a_dtd_or_external_entity_is_refused_and_nothing_is_stored()
    {
        var (_, services) = await StartAsync(new FakeArxivOptions { ListingDays = Days, ServeDtd = true });
        var error = await Assert.ThrowsAsync<ArxivFormatException>(() =>
            services.GetRequiredService<OaiHarvester>().HarvestAsync("cs", FirstDay, null, "arXivRaw", new Ingestion.Lines(), CancellationToken.None));
        Assert.Contains("declares a DTD", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await _db.Store.GetStatusAsync()).Papers);
    }

    [Fact]
    public async Task Deleted_records_mark_the_paper_deleted()
    {
        var (fake, services) = await StartAsync(new FakeArxivOptions { ListingDays = Days, PageSize = 500 });
        var harvester = services.GetRequiredService<OaiHarvester>();
        await harvester.HarvestAsync("cs", FirstDay, null, "arXivRaw", new Ingestion.Lines(), CancellationToken.None);
        var victim = Ingestion.IdsInGroup("cs", "2025-03-20").Order(StringComparer.Ordinal).First();
        fake.Options.DeletedIds.Add(victim);
        var again = await harvester.HarvestAsync("cs", FirstDay, null, "arXivRaw", new Ingestion.Lines(), CancellationToken.None);
        Assert.Equal(1, again.Deleted);
        Assert.Equal(PaperStatus.Deleted, (await _db.Store.GetPaperAsync(victim))!.Paper.Status);
    }

    [Fact]
    public async Task Announcements_list_new_cross_and_replaced_papers_on_the_announcement_day()
    {
        var (fake, services) = await StartAsync(new FakeArxivOptions { ListingDays = Days, FeedDay = "2025-03-20" });
        var lines = new Ingestion.Lines();
        var summary = await services.GetRequiredService<AnnouncementIngester>().IngestAsync(["cs.CL"], lines, CancellationToken.None);
        Assert.True(summary.Fetched > 20);
        Assert.Equal(summary.Fetched, summary.Counts.Added + summary.Counts.Updated + summary.Counts.Unchanged);
        Assert.Contains(fake.Requests, r => r.PathAndQuery == "/atom/cs.CL");
        Assert.Matches(@"for 2025-03-20: \d+ new, \d+ cross", Assert.Single(lines.Reports));
        var day = await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 1000));
        Assert.Equal(summary.Fetched, day.Total);
        Assert.All(day.Items, i => Assert.Contains(i.Paper.Categories, c => c == "cs.CL"));
        var again = await services.GetRequiredService<AnnouncementIngester>().IngestAsync(["cs.CL"], lines, CancellationToken.None);
        Assert.Equal(0, again.Counts.Added + again.Counts.Updated);

        fake.Options.FeedDay = "2025-03-22"; // a Saturday: arXiv announces nothing
        var weekend = await services.GetRequiredService<AnnouncementIngester>().IngestAsync(["cs.CL"], lines, CancellationToken.None);
        Assert.Equal(0, weekend.Fetched);
    }

    [Fact]
    public async Task Submitting_by_id_fetches_from_the_query_api_and_stores_it_on_no_day()
    {
        using var dir = new TestData.TempDir();
        var oldStyle = Importing.Write(dir, "old.jsonl", Importing.ListingLine("hep-th/9901001", "A made-up old-style paper", categories: ["hep-th"]));
        var (fake, services) = await StartAsync(new FakeArxivOptions
        {
            ListingDays = ["2025-03-20", "1999-01-04"],
            ListingPath = day => day == "1999-01-04" ? oldStyle : TestData.Listing(day),
            CurrentAtom = Provider == "sqlite", // each provider's run reads one of the two serializations
        });
        var submitter = services.GetRequiredService<PaperSubmitter>();
        var results = await submitter.SubmitAsync(["arXiv:2503.14603v1", "hep-th/9901001", "2501.99999", "not-an-id"], CancellationToken.None);
        Assert.Equal([SubmitOutcome.Added, SubmitOutcome.Added, SubmitOutcome.Unknown, SubmitOutcome.Invalid], results.Select(r => r.Outcome).Order());
        Assert.Equal("arXiv has no paper 2501.99999", results.Single(r => r.Outcome == SubmitOutcome.Unknown).Message);
        Assert.Null(await _db.Store.GetPaperAsync("2501.99999"));

        var old = (await _db.Store.GetPaperAsync("hep-th/9901001"))!;
        Assert.Equal("A made-up old-style paper", old.Paper.Title);
        Assert.Empty(old.ListingDays); // a submission is not an announcement
        var recent = (await _db.Store.GetPaperAsync("2503.14603"))!;
        Assert.Equal(["cs.CL", "cs.LG"], recent.Paper.Categories.Take(2));
        Assert.Empty(recent.ListingDays);
        Assert.Contains(fake.Requests, r => r.PathAndQuery.Contains("id_list=2503.14603,hep-th%2F9901001,2501.99999", StringComparison.Ordinal));

        // Known already: nothing changes, arXiv is not asked.
        var before = fake.Requests.Count;
        var again = await submitter.SubmitAsync(["2503.14603"], CancellationToken.None);
        Assert.Equal(SubmitOutcome.AlreadyStored, again[0].Outcome);
        Assert.Equal(before, fake.Requests.Count);
        Assert.Empty((await _db.Store.GetPaperAsync("2503.14603"))!.ListingDays);
    }
}

public sealed class SqliteHarvestTests : HarvestTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresHarvestTests : HarvestTests
{
    protected override string Provider => "postgres";
}
