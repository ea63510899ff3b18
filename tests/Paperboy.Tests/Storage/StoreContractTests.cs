using Paperboy.Core.Import;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Storage;

/// <summary>What every provider must do. Each concrete class below runs all of it on one provider.</summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private TestStore _db = null!;
    private readonly TestData.TempDir _files = new();
    private IPaperStore Store => _db.Store;

    public async Task InitializeAsync() => _db = await TestStore.CreateAsync(Provider);

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        _files.Dispose();
    }

    private static ListingQuery Day(string day, int limit = 1000, string? category = null, ListingSort sort = ListingSort.Published, int offset = 0) =>
        new(ListingPeriod.Day(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)), category, sort, offset, limit);

    [Fact]
    public async Task A_listing_day_lists_each_paper_once_and_a_second_import_changes_nothing()
    {
        var first = await Importing.ImportAsync(Store, TestData.Listing("2025-03-20"));
        Assert.Equal(438, first.Counts.Read);
        Assert.Equal(211, first.Counts.Added);
        Assert.Equal(0, first.Counts.Rejected);

        var page = await Store.GetListingAsync(Day("2025-03-20"));
        Assert.Equal(211, page.Total);
        Assert.Equal(211, page.Items.Select(i => i.Paper.Id).Distinct().Count());

        var again = await Importing.ImportAsync(Store, TestData.Listing("2025-03-20"));
        Assert.Equal(0, again.Counts.Added);
        Assert.Equal(0, again.Counts.Updated);
        Assert.Equal(0, again.Counts.NewListings);
        Assert.Equal(438, again.Counts.Unchanged);

        var status = await Store.GetStatusAsync();
        Assert.Equal(211, status.Papers);
        Assert.Equal(1, status.ListingDays);
        Assert.Equal(new DateOnly(2025, 3, 20), status.NewestListingDay);
        Assert.Equal(Provider, status.Provider);
    }

    [Fact]
    public async Task Abstracts_are_unwrapped_and_latex_is_kept()
    {
        var path = Importing.Write(_files, "2025-01-02.jsonl",
            Importing.ListingLine("2501.00001", "A title\n  on two lines", "We bound $\\mathcal{O}(n^2)$\nterms   and\tmore."));
        await Importing.ImportAsync(Store, path);
        var paper = (await Store.GetPaperAsync("2501.00001"))!.Paper;
        Assert.Equal("A title on two lines", paper.Title);
        Assert.Equal("We bound $\\mathcal{O}(n^2)$ terms and more.", paper.Abstract);
        Assert.Equal(["cs.LG", "stat.ML"], paper.Categories);
        Assert.Equal("cs.LG", paper.PrimaryCategory);
        Assert.Equal(["Ada Lovelace", "Alan Turing"], paper.Authors);
    }

    [Fact]
    public async Task A_paper_listed_again_gains_the_day_and_changed_text_keeps_the_old_text()
    {
        var day1 = Importing.Write(_files, "2025-01-02.jsonl", Importing.ListingLine("2501.00001", "First title"), Importing.ListingLine("2501.00002", "Other paper"));
        var day2 = Importing.Write(_files, "2025-01-03.jsonl", Importing.ListingLine("2501.00001", "First title"), Importing.ListingLine("2501.00002", "Other paper, revised"));
        // Newest first: an older record must not overwrite a newer one, whatever the order of import.
        var s2 = await Importing.ImportAsync(Store, day2);
        var s1 = await Importing.ImportAsync(Store, day1);
        Assert.Equal(2, s2.Counts.Added);
        Assert.Equal(1, s1.Counts.Updated); // the older text of 2501.00002 goes into its history
        Assert.Equal(1, s1.Counts.Unchanged);

        var one = (await Store.GetPaperAsync("2501.00001"))!;
        Assert.Equal([new DateOnly(2025, 1, 2), new DateOnly(2025, 1, 3)], one.ListingDays);
        Assert.Equal(new DateOnly(2025, 1, 2), one.Paper.PublishedOn);
        Assert.Empty(one.Revisions);

        var two = (await Store.GetPaperAsync("2501.00002"))!;
        Assert.Equal("Other paper, revised", two.Paper.Title);
        var revision = Assert.Single(two.Revisions);
        Assert.Equal("Other paper", revision.Title);

        // Both files again, in either order: nothing moves.
        foreach (var path in new[] { day1, day2, day1 })
        {
            var again = await Importing.ImportAsync(Store, path);
            Assert.Equal(0, again.Counts.Added + again.Counts.Updated + again.Counts.NewListings);
        }
        Assert.Single((await Store.GetPaperAsync("2501.00002"))!.Revisions);
        Assert.Equal(1, (await Store.GetListingAsync(Day("2025-01-02"))).Items.Count(i => i.Paper.Id == "2501.00001"));
    }

    [Fact]
    public async Task Real_listings_with_changed_text_are_updated_with_history()
    {
        // Two weeks of real listings hold papers that come back with changed text.
        var files = Enumerable.Range(0, 14).Select(i => TestData.Listing(new DateOnly(2025, 3, 18).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var first = await Importing.ImportAsync(Store, files);
        var again = await Importing.ImportAsync(Store, files);
        Assert.Equal(0, first.Counts.Rejected);
        Assert.Equal(0, again.Counts.Added + again.Counts.Updated + again.Counts.NewListings);
        Assert.Equal(first.Counts.Read, again.Counts.Unchanged);
        var status = await Store.GetStatusAsync();
        Assert.Equal(first.Counts.Added, status.Papers);
        // Two weekends: their four files repeat Friday's papers and make no day of their own.
        Assert.Equal(4, first.Counts.RepeatDays);
        Assert.Equal(10, status.ListingDays);
        var (_, afterFriday) = await Store.GetNeighbourDaysAsync(ListingPeriod.Day(new DateOnly(2025, 3, 21)));
        Assert.Equal(new DateOnly(2025, 3, 24), afterFriday); // the day navigation goes from Friday to Monday
    }

    [Fact]
    public async Task Kaggle_snapshot_keeps_versions_doi_and_journal_ref()
    {
        var s = await Importing.ImportAsync(Store, TestData.Kaggle);
        Assert.Equal(200, s.Counts.Added);
        Assert.Equal(0, s.Counts.Rejected);
        var p = (await Store.GetPaperAsync("0704.0001"))!.Paper;
        Assert.NotNull(p.Doi);
        Assert.NotNull(p.JournalRef);
        Assert.True(p.Versions.Count >= 2);
        Assert.Equal(p.Versions.Max(v => v.Version), p.Version);
        Assert.Equal(new DateOnly(2007, 4, 2), p.PublishedOn);
        Assert.Contains("P. M. Nadolsky", p.Authors);
        Assert.Equal(0, (await Importing.ImportAsync(Store, TestData.Kaggle)).Counts.Updated);
    }

    [Fact]
    public async Task Hugging_face_daily_papers_keep_upvotes_code_and_submitter()
    {
        var s = await Importing.ImportAsync(Store, TestData.HfDaily);
        Assert.Equal(30, s.Counts.Added);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestData.HfDaily));
        var withCode = doc.RootElement.EnumerateArray().First(i => i.GetProperty("paper").TryGetProperty("githubRepo", out var g) && g.ValueKind == System.Text.Json.JsonValueKind.String);
        var expected = withCode.GetProperty("paper");
        var stored = (await Store.GetPaperAsync(expected.GetProperty("id").GetString()!))!;
        Assert.Equal(expected.GetProperty("githubRepo").GetString(), stored.Paper.CodeUrl);
        Assert.Equal(expected.GetProperty("upvotes").GetInt32(), stored.Paper.Upvotes);
        Assert.Equal(withCode.GetProperty("submittedBy").GetProperty("name").GetString(), stored.Paper.SubmittedBy?.Name);
        var day = DateOnly.FromDateTime(expected.GetProperty("submittedOnDailyAt").GetDateTime());
        Assert.Contains(day, stored.ListingDays);
        var top = await Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(day), null, ListingSort.Trending, 0, 5));
        Assert.True(top.Items.Zip(top.Items.Skip(1)).All(p => p.First.Paper.Upvotes >= p.Second.Paper.Upvotes));
    }

    [Fact]
    public async Task Title_abstract_lines_get_stable_local_ids()
    {
        var options = new ImportOptions(Day: new DateOnly(2026, 1, 5));
        var s = await Importing.ImportAsync(Store, options, TestData.SeedPage);
        Assert.Equal(80, s.Counts.Added);
        var page = await Store.GetListingAsync(Day("2026-01-05"));
        Assert.Equal(80, page.Total);
        Assert.All(page.Items, i => Assert.Matches("^local-[0-9a-f]{12}$", i.Paper.Id));
        Assert.All(page.Items, i => Assert.Null(i.Paper.AbsUrl));
        var again = await Importing.ImportAsync(Store, options, TestData.SeedPage);
        Assert.Equal(0, again.Counts.Added + again.Counts.Updated);
    }

    [Fact]
    public async Task Bad_records_are_reported_with_file_and_line_and_the_rest_is_imported()
    {
        var path = Importing.Write(_files, "2025-02-01.jsonl",
            Importing.ListingLine("2502.00001", "Good one"),
            "{\"id\": \"2502.00002\", \"title\": ",
            Importing.ListingLine("", "No id"),
            Importing.ListingLine("2502.00003", ""),
            Importing.ListingLine("2502.00004", "Huge", new string('x', 1 << 20)),
            Importing.ListingLine("../../etc/passwd", "Sneaky"),
            Importing.ListingLine("2502.00005", "<script>alert(1)</script> is kept as text"),
            Importing.ListingLine("2502.00006", "Good two"));
        var recorder = new Importing.Recorder();
        var s = await new Importer(Store).ImportAsync([path], new ImportOptions(), recorder, CancellationToken.None);
        Assert.Equal(3, s.Counts.Added);
        Assert.Equal(5, s.Counts.Rejected);
        Assert.Contains(recorder.Problems, p => p.StartsWith("2025-02-01.jsonl:2: invalid JSON", StringComparison.Ordinal));
        Assert.Contains(recorder.Problems, p => p.StartsWith("2025-02-01.jsonl:3: id is missing", StringComparison.Ordinal));
        Assert.Contains(recorder.Problems, p => p.StartsWith("2025-02-01.jsonl:4: title is missing", StringComparison.Ordinal));
        Assert.Contains(recorder.Problems, p => p.StartsWith("2025-02-01.jsonl:5: abstract is 1,048,576 characters", StringComparison.Ordinal));
        Assert.Contains(recorder.Problems, p => p.StartsWith("2025-02-01.jsonl:6: id '../../etc/passwd' is not an arXiv id", StringComparison.Ordinal));
        Assert.Equal("<script>alert(1)</script> is kept as text", (await Store.GetPaperAsync("2502.00005"))!.Paper.Title);
        Assert.Equal(3, (await Store.GetStatusAsync()).Papers);
    }

    [Fact]
    public async Task A_truncated_gzip_keeps_the_records_before_the_break()
    {
        var bytes = await File.ReadAllBytesAsync(TestData.Listing("2025-03-20"));
        var path = _files.File("2025-03-20.jsonl.gz");
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
        var recorder = new Importing.Recorder();
        var s = await new Importer(Store).ImportAsync([path], new ImportOptions(), recorder, CancellationToken.None);
        var problem = Assert.Single(recorder.Problems);
        Assert.Matches(@"^2025-03-20\.jsonl\.gz: the file ends early \(truncated or corrupt gzip\) at line \d+; the [\d,]+ lines before it were read$", problem);
        Assert.InRange(s.Counts.Added, 50, 210);
        Assert.Equal(s.Counts.Added, (await Store.GetStatusAsync()).Papers);
    }

    [Fact]
    public async Task Listings_filter_by_category_page_and_span_weeks_and_months()
    {
        await Importing.ImportAsync(Store, TestData.Listing("2025-03-18"), TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"), TestData.Listing("2025-03-24"));
        var all = await Store.GetListingAsync(Day("2025-03-20"));
        var cl = await Store.GetListingAsync(Day("2025-03-20", category: "cs.CL"));
        Assert.InRange(cl.Total, 1, all.Total - 1);
        Assert.All(cl.Items, i => Assert.Contains("cs.CL", i.Paper.Categories));
        var counts = await Store.GetCategoryCountsAsync(ListingPeriod.Day(new DateOnly(2025, 3, 20)));
        Assert.Equal(cl.Total, counts.Single(c => c.Category == "cs.CL").Count);

        var pages = new List<string>();
        for (var offset = 0; offset < all.Total; offset += 50)
            pages.AddRange((await Store.GetListingAsync(Day("2025-03-20", limit: 50, offset: offset))).Items.Select(i => i.Paper.Id));
        Assert.Equal(all.Items.Select(i => i.Paper.Id), pages);

        var week = await Store.GetListingAsync(new ListingQuery(ListingPeriod.Week(2025, 12), null, ListingSort.Published, 0, 5000));
        Assert.Equal(week.Total, week.Items.Select(i => i.Paper.Id).Distinct().Count());
        Assert.All(week.Items, i => Assert.InRange(i.ListingDay, new DateOnly(2025, 3, 17), new DateOnly(2025, 3, 23)));
        Assert.True(week.Total > all.Total);

        var (prev, next) = await Store.GetNeighbourDaysAsync(ListingPeriod.Day(new DateOnly(2025, 3, 20)));
        Assert.Equal(new DateOnly(2025, 3, 19), prev);
        Assert.Equal(new DateOnly(2025, 3, 24), next);
        Assert.Equal(new DateOnly(2025, 3, 24), await Store.GetLatestListingDayAsync());
        var empty = await Store.GetListingAsync(Day("2025-03-21"));
        Assert.Equal(0, empty.Total);
    }

    [Fact]
    public async Task Migrations_are_idempotent_and_the_change_stamp_moves_on_writes()
    {
        Assert.Equal(0, await Store.MigrateAsync());
        var before = await Store.GetChangeStampAsync();
        await Importing.ImportAsync(Store, Importing.Write(_files, "2025-01-02.jsonl", Importing.ListingLine("2501.00001", "A")));
        Assert.NotEqual(before, await Store.GetChangeStampAsync());
    }

    [Fact]
    public async Task Embeddings_follow_the_text_and_their_description_moves_when_one_is_replaced()
    {
        var day = Importing.Write(_files, "2025-01-02.jsonl", Importing.ListingLine("2501.00001", "First title"), Importing.ListingLine("2501.00002", "Other paper"));
        await Importing.ImportAsync(Store, day);
        Assert.Equal(new Core.Search.EmbeddingSet(0, null), await Store.DescribeEmbeddingsAsync("m@1"));

        var work = await Store.GetPapersToEmbedAsync("m@1", null, 10);
        Assert.Equal(["2501.00001", "2501.00002"], work.Select(w => w.Id));
        Assert.Equal(["2501.00002"], (await Store.GetPapersToEmbedAsync("m@1", "2501.00001", 10)).Select(w => w.Id));
        await Store.SaveEmbeddingsAsync("m@1", work.Select(w => new Core.Search.StoredEmbedding(w.Id, w.TextHash, [1f, 0f])).ToList());
        var first = await Store.DescribeEmbeddingsAsync("m@1");
        Assert.Equal(2, first.Count);
        Assert.NotNull(first.Latest);
        Assert.Empty(await Store.GetPapersToEmbedAsync("m@1", null, 10));
        Assert.Equal(0, (await Store.DescribeEmbeddingsAsync("m@2")).Count);
        Assert.Equal([new Core.Papers.EmbeddedCount("m@1", 2)], (await Store.GetStatusAsync()).Embedded);

        // New text: the old vector no longer counts until the paper is embedded again; then the count is back where
        // it was, and only the newest write tells the sets apart.
        var later = Importing.Write(_files, "2025-01-03.jsonl", Importing.ListingLine("2501.00002", "Other paper, revised"));
        await Importing.ImportAsync(Store, later);
        Assert.Equal(1, (await Store.DescribeEmbeddingsAsync("m@1")).Count);
        Assert.Equal(1, (await Store.GetStatusAsync()).Embedded.Single(e => e.Model == "m@1").Papers);
        var again = Assert.Single(await Store.GetPapersToEmbedAsync("m@1", null, 10));
        Assert.Equal("2501.00002", again.Id);
        await Task.Delay(10);
        await Store.SaveEmbeddingsAsync("m@1", [new Core.Search.StoredEmbedding(again.Id, again.TextHash, [0f, 1f])]);
        var second = await Store.DescribeEmbeddingsAsync("m@1");
        Assert.Equal(2, second.Count);
        Assert.True(second.Latest > first.Latest, $"{second.Latest:O} after {first.Latest:O}");
        var vectors = new Dictionary<string, float[]>();
        await foreach (var e in Store.ReadEmbeddingsAsync("m@1"))
            vectors[e.Id] = e.Vector;
        Assert.Equal([0f, 1f], vectors["2501.00002"]);
        var byId = Assert.Single(await Store.ReadEmbeddingsAsync("m@1", ["2501.00002", "2501.99999"]));
        Assert.Equal(("2501.00002", again.TextHash), (byId.Id, byId.TextHash));
        Assert.Equal([0f, 1f], byId.Vector);
        Assert.Empty(await Store.ReadEmbeddingsAsync("m@2", ["2501.00002"]));

        // A paper holds one vector: embedding it with another model (a model switch under way) moves it over.
        await Store.SaveEmbeddingsAsync("m@2", [new Core.Search.StoredEmbedding(work[0].Id, work[0].TextHash, [1f, 1f])]);
        Assert.Equal([new Core.Papers.EmbeddedCount("m@1", 1), new Core.Papers.EmbeddedCount("m@2", 1)], (await Store.GetStatusAsync()).Embedded);
    }

    private static readonly DateOnly D1 = new(2025, 1, 2);
    private static readonly DateOnly D2 = new(2025, 1, 3);

    /// <summary>A listing record, as the listing reader makes one.</summary>
    private static IncomingPaper Listed(string id, string title, DateOnly day, int position = 1, string[]? categories = null) => new()
    {
        Id = id,
        Title = title,
        Authors = ["Ada Lovelace"],
        Abstract = "An abstract.",
        Categories = categories ?? ["cs.LG"],
        ListingDay = day,
        ListingPosition = position,
        Source = "listing",
    };

    /// <summary>Everything stored about the papers, in order, without wall-clock instants.</summary>
    private async Task<string> DescribeAsync(params string[] ids)
    {
        var lines = new List<string>();
        foreach (var id in ids)
        {
            var d = await Store.GetPaperAsync(id);
            if (d is null)
            {
                lines.Add(id + ": none");
                continue;
            }
            var p = d.Paper;
            lines.Add($"{p.Id} v{p.Version} '{p.Title}' [{string.Join("|", p.Authors)}] [{string.Join("|", p.Categories)}] published {p.PublishedOn} updated {p.UpdatedOn} as of {p.AsOf} status {p.Status}");
            lines.Add("  days " + string.Join(",", d.ListingDays));
            lines.AddRange(d.Revisions.Select(r => $"  was '{r.Title}' as of {r.AsOf} v{r.Version}"));
        }
        return string.Join("\n", lines);
    }

    [Fact]
    public async Task One_batch_with_a_paper_listed_then_replaced_keeps_the_replaced_text_and_both_days()
    {
        // The batch holds the paper twice: new on D1, replaced with new text on D2 (the harvest and announcements
        // hand over such batches). Each record must see what the one before it did.
        var counts = await ImportBatchWriter.WriteAsync(Store, [Listed("2501.00001", "First text", D1), Listed("2501.00001", "Second text", D2) with { Version = 2 }], default);
        Assert.Equal((1, 1, 2), (counts.Added, counts.Updated, counts.NewListings));
        var d = (await Store.GetPaperAsync("2501.00001"))!;
        Assert.Equal("Second text", d.Paper.Title);
        Assert.Equal(2, d.Paper.Version);
        Assert.Equal(D1, d.Paper.PublishedOn);
        Assert.Equal(D2, d.Paper.UpdatedOn);
        Assert.Equal([D1, D2], d.ListingDays);
        var revision = Assert.Single(d.Revisions);
        Assert.Equal(("First text", D1), (revision.Title, revision.AsOf));

        // The same records again, in one batch or one by one: nothing changes.
        var before = await DescribeAsync("2501.00001");
        var again = await ImportBatchWriter.WriteAsync(Store, [Listed("2501.00001", "First text", D1), Listed("2501.00001", "Second text", D2) with { Version = 2 }], default);
        Assert.Equal((0, 0, 2, 0), (again.Added, again.Updated, again.Unchanged, again.NewListings));
        Assert.Equal(before, await DescribeAsync("2501.00001"));
    }

    [Fact]
    public async Task One_batch_with_an_older_record_after_a_newer_one_ends_as_the_other_order_does()
    {
        await ImportBatchWriter.WriteAsync(Store, [Listed("2501.00001", "Newer text", D2), Listed("2501.00001", "Older text", D1)], default);
        await ImportBatchWriter.WriteAsync(Store, [Listed("2501.00002", "Older text", D1)], default);
        await ImportBatchWriter.WriteAsync(Store, [Listed("2501.00002", "Newer text", D2)], default);

        var one = (await Store.GetPaperAsync("2501.00001"))!;
        Assert.Equal("Newer text", one.Paper.Title);
        Assert.Equal(D1, one.Paper.PublishedOn); // the older listing day is the first announcement
        Assert.Equal([D1, D2], one.ListingDays);
        Assert.Equal("Older text", Assert.Single(one.Revisions).Title);
        // Same as the two records in the other order, each in its own batch (bar the id).
        Assert.Equal((await DescribeAsync("2501.00002")).Replace("2501.00002", "2501.00001", StringComparison.Ordinal), await DescribeAsync("2501.00001"));
    }

    [Fact]
    public async Task A_re_import_writes_nothing_the_change_feed_would_show()
    {
        var files = new[] { TestData.Listing("2025-03-18"), TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20") };
        await Importing.ImportAsync(Store, files);
        var feed = await Store.GetChangedPapersAsync(null, 100_000);
        var ids = feed.Select(c => c.Paper.Id).ToArray();
        var before = await DescribeAsync(ids);
        var status = await Store.GetStatusAsync();

        var again = await Importing.ImportAsync(Store, files);
        Assert.Equal(again.Counts.Read, again.Counts.Unchanged);
        // No paper was rewritten (its change cursor would move), no revision or listing was added.
        Assert.Equal(feed.Select(c => c.Cursor), (await Store.GetChangedPapersAsync(null, 100_000)).Select(c => c.Cursor));
        Assert.Empty(await Store.GetChangedPapersAsync(feed[^1].Cursor, 10));
        Assert.Equal(before, await DescribeAsync(ids));
        var after = await Store.GetStatusAsync();
        Assert.Equal((status.Papers, status.ListingDays), (after.Papers, after.ListingDays));
    }

    [Fact]
    public async Task Nul_and_control_characters_never_reach_the_database()
    {
        // PostgreSQL refuses a NUL in text outright (and one bad row would fail the whole batch); SQLite would keep it.
        var listing = Importing.Write(_files, "2025-01-02.jsonl",
            Importing.ListingLine("2501.00001", "A\u0000title\u0007", "Ab\u0000stract", ["Ada\u0000Lovelace"], ["cs.LG\u0000"]),
            Importing.ListingLine("2501.00002", "Clean title"));
        var hfItems = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(TestData.HfDaily))!.AsArray();
        var item = hfItems[0]!.DeepClone();
        item["submittedBy"]!["fullname"] = "Grace\u0000Hopper";
        item["submittedBy"]!["name"] = "grace\u0000";
        item["paper"]!["summary"] = "Sum\u0000mary";
        var hf = Importing.Write(_files, "daily.json", new System.Text.Json.Nodes.JsonArray(item).ToJsonString());

        var s = await Importing.ImportAsync(Store, listing, hf);
        Assert.Equal((3, 0), (s.Counts.Added, s.Counts.Rejected));
        var p = (await Store.GetPaperAsync("2501.00001"))!.Paper;
        Assert.Equal(("Atitle", "Abstract", "AdaLovelace", "cs.LG"), (p.Title, p.Abstract, p.Authors.Single(), p.Categories.Single()));
        var fromHf = (await Store.GetPaperAsync(item["paper"]!["id"]!.GetValue<string>()))!.Paper;
        Assert.Equal(new Submitter("grace", "GraceHopper"), fromHf.SubmittedBy);
        Assert.Equal("Summary", fromHf.Abstract);
        Assert.Equal(2, (await Store.GetCategoryCountsAsync(ListingPeriod.Day(D1))).Single(c => c.Category == "cs.LG").Count);
    }

    [Fact]
    public async Task A_paper_whose_categories_change_is_counted_only_under_its_new_ones()
    {
        await ImportBatchWriter.WriteAsync(Store, [Listed("2501.00001", "Text", D1, categories: ["cs.LG", "stat.ML"])], default);
        await ImportBatchWriter.WriteAsync(Store, [Listed("2501.00001", "Text", D2, categories: ["cs.CL", "cs.LG"])], default);
        var counts = await Store.GetCategoryCountsAsync(ListingPeriod.Day(D1));
        Assert.Equal([("cs.CL", 1), ("cs.LG", 1)], counts);
        Assert.Equal(["cs.CL", "cs.LG"], (await Store.GetPaperAsync("2501.00001"))!.Paper.Categories);
        Assert.Equal(["2501.00001"], (await Store.GetListingAsync(Day("2025-01-03", category: "cs.CL"))).Items.Select(i => i.Paper.Id));
        Assert.Equal(0, (await Store.GetListingAsync(Day("2025-01-02", category: "stat.ML"))).Total);
    }

    [Fact]
    public async Task A_harvest_unit_sees_its_own_writes_before_commit_and_nothing_lands_without_one()
    {
        await ImportBatchWriter.WriteAsync(Store, [Listed("2501.00001", "Stored before", D1)], default);

        await using (var unit = await Store.BeginImportAsync())
        {
            await ImportBatchWriter.ApplyAsync(unit, [Listed("2501.00002", "New in this unit", D2)], default);
            Assert.Equal("New in this unit", (await unit.FindAsync("2501.00002", default))!.Title);
            Assert.True(await unit.MarkDeletedAsync("2501.00002", default));   // saved in this unit, not yet written
            Assert.False(await unit.MarkDeletedAsync("2501.00002", default));  // already marked
            Assert.True(await unit.MarkDeletedAsync("2501.00001", default));   // only in the database
            Assert.False(await unit.MarkDeletedAsync("2501.99999", default));  // not there at all
            Assert.Equal(PaperStatus.Deleted, (await unit.FindAsync("2501.00001", default))!.Status);
            Assert.False(await unit.AddListingAsync("2501.00002", D2, 1, default));
            await unit.SetStateAsync("test:cursor", "\"page 2\"", default);
            // Dropped without a commit: rolled back.
        }
        Assert.Null(await Store.GetPaperAsync("2501.00002"));
        Assert.Null((await Store.GetPaperAsync("2501.00001"))!.Paper.Status);
        Assert.Null(await Store.GetStateAsync("test:cursor"));

        await using (var unit = await Store.BeginImportAsync())
        {
            var counts = await ImportBatchWriter.ApplyAsync(unit, [Listed("2501.00002", "New in this unit", D2)], default);
            Assert.Equal(1, counts.Added);
            Assert.True(await unit.MarkDeletedAsync("2501.00002", default));
            Assert.True(await unit.MarkDeletedAsync("2501.00001", default));
            await unit.SetStateAsync("test:cursor", "\"page 2\"", default);
            await unit.CommitAsync(default);
        }
        Assert.Equal(PaperStatus.Deleted, (await Store.GetPaperAsync("2501.00002"))!.Paper.Status);
        Assert.Equal(PaperStatus.Deleted, (await Store.GetPaperAsync("2501.00001"))!.Paper.Status);
        Assert.Equal([D2], (await Store.GetPaperAsync("2501.00002"))!.ListingDays);
        Assert.Equal("\"page 2\"", await Store.GetStateAsync("test:cursor"));
        await using (var unit = await Store.BeginImportAsync())
            Assert.False(await unit.MarkDeletedAsync("2501.00001", default));
    }

    [Fact]
    public async Task Embeddings_saved_twice_in_one_call_keep_the_last()
    {
        var day = Importing.Write(_files, "2025-01-02.jsonl", Importing.ListingLine("2501.00001", "First title"), Importing.ListingLine("2501.00002", "Other paper"));
        await Importing.ImportAsync(Store, day);
        var work = await Store.GetPapersToEmbedAsync("m@1", null, 10);
        await Store.SaveEmbeddingsAsync("m@1", [new(work[0].Id, work[0].TextHash, [1f, 0f]), new(work[1].Id, null, [1f, 1f]), new(work[0].Id, work[0].TextHash, [0f, 1f])]);
        var kept = Assert.Single(await Store.ReadEmbeddingsAsync("m@1", [work[0].Id]));
        Assert.Equal([0f, 1f], kept.Vector);
        // A vector for other text (here: none recorded) does not count as the current one.
        Assert.Equal([work[1].Id], (await Store.GetPapersToEmbedAsync("m@1", null, 10)).Select(w => w.Id));
        await Store.SaveEmbeddingsAsync("m@1", []);
    }

    [Fact]
    public async Task Old_style_ids_are_stored_and_found()
    {
        var line = System.Text.Json.JsonSerializer.Serialize(new
        {
            id = "hep-th/9901001",
            title = "An old-style paper",
            authors = "A. Author, B. Author",
            abstract_ = "x",
            categories = "hep-th",
            versions = new[] { new { version = "v1", created = "Fri, 1 Jan 1999 10:00:00 GMT" } },
            update_date = "1999-01-05",
        }).Replace("abstract_", "abstract", StringComparison.Ordinal);
        var s = await Importing.ImportAsync(Store, Importing.Write(_files, "old.jsonl", line));
        Assert.Equal(1, s.Counts.Added);
        var p = (await Store.GetPaperAsync("hep-th/9901001"))!;
        Assert.Equal(["A. Author", "B. Author"], p.Paper.Authors);
        Assert.Equal("https://arxiv.org/abs/hep-th/9901001", p.Paper.AbsUrl);
        Assert.Equal([new DateOnly(1999, 1, 1)], p.ListingDays);
    }
}

public sealed class SqliteStoreTests : StoreContractTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresStoreTests : StoreContractTests
{
    protected override string Provider => "postgres";
}
