using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Storage;

/// <summary>
/// SQLite writes an import row by row, PostgreSQL in bulk at commit: the same files must leave the same papers,
/// histories, listing days and categories in both.
/// </summary>
public sealed class ProviderEquivalenceTests
{
    [Fact]
    public async Task The_same_files_leave_the_same_database_on_both_providers()
    {
        // Two weeks of listings in which papers come back replaced with new text (some in weekends' repeat files)
        // and cross-listed, plus the bulk metadata and Hugging Face formats, in small batches so that many papers
        // span several of them.
        var files = Enumerable.Range(0, 14)
            .Select(i => TestData.Listing(new DateOnly(2025, 5, 26).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))
            .Append(TestData.Kaggle).Append(TestData.HfDaily).ToArray();
        var options = new Core.Import.ImportOptions(BatchSize: 300);
        await using var sqlite = await TestStore.CreateAsync("sqlite");
        await using var postgres = await TestStore.CreateAsync("postgres");
        var a = await Importing.ImportAsync(sqlite.Store, options, files);
        var b = await Importing.ImportAsync(postgres.Store, options, files);
        Assert.Equal(0, a.Counts.Rejected);
        Assert.True(a.Counts.Updated > 0, "the files hold replaced papers");
        Assert.Equal((a.Counts.Added, a.Counts.Updated, a.Counts.Unchanged, a.Counts.NewListings, a.Counts.RepeatDays),
            (b.Counts.Added, b.Counts.Updated, b.Counts.Unchanged, b.Counts.NewListings, b.Counts.RepeatDays));

        var ids = (await sqlite.Store.GetChangedPapersAsync(null, 100_000)).Select(c => c.Paper.Id).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(ids, (await postgres.Store.GetChangedPapersAsync(null, 100_000)).Select(c => c.Paper.Id).Order(StringComparer.Ordinal));
        Assert.Equal(await DescribeAsync(sqlite.Store, ids), await DescribeAsync(postgres.Store, ids));
        foreach (var period in new[] { ListingPeriod.Month(2025, 5), ListingPeriod.Month(2025, 6) })
            Assert.Equal(await sqlite.Store.GetCategoryCountsAsync(period), await postgres.Store.GetCategoryCountsAsync(period));
    }

    /// <summary>Every paper's stored fields, listing days and history, one line each, without wall-clock instants.</summary>
    private static async Task<List<string>> DescribeAsync(IPaperStore store, IEnumerable<string> ids)
    {
        var lines = new List<string>();
        foreach (var id in ids)
        {
            var d = (await store.GetPaperAsync(id))!;
            var p = d.Paper;
            lines.Add(string.Join(" | ", p.Id, p.Version, p.Title, string.Join(";", p.Authors), p.Abstract, string.Join(";", p.Categories),
                p.Comments, p.JournalRef, p.Doi, p.License, p.ReportNo, p.ArxivSubmitter, p.PublishedOn, p.UpdatedOn, p.AsOf,
                string.Join(";", p.Versions.Select(v => $"{v.Version}@{v.CreatedAt:O}")), p.CodeUrl, p.ProjectUrl, p.Upvotes, p.NumComments,
                p.SubmittedBy, p.DailyDay, p.Status,
                "days " + string.Join(";", d.ListingDays),
                "was " + string.Join(";", d.Revisions.Select(r => $"{r.Title}/{string.Join(",", r.Authors)}/{r.Abstract}/{r.AsOf}/{r.Version}"))));
        }
        return lines;
    }
}
