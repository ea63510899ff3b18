using Microsoft.Extensions.Logging.Abstractions;
using Paperboy.Core.Search;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Search;

/// <summary>The HNSW snapshot as the engine keeps it: saved, reopened, and not trusted once the database moved on.</summary>
public sealed class SnapshotTests
{
    /// <summary>The paper's text changes completely (a listing of the next day): it must be embedded again.</summary>
    private static async Task RewriteAboutSeabirdsAsync(TestStore db, TestData.TempDir files, string id) =>
        await Importing.ImportAsync(db.Store, Importing.Write(files, "2025-03-21.jsonl", Importing.ListingLine(id, "Migration routes of arctic terns",
            "We track seabirds that fly from the Arctic to the Antarctic and back every year, and map their stopovers over the ocean.")));

    /// <summary>The first semantic hit for a paraphrase of the new text (no shared keywords beyond "seabirds").</summary>
    private static async Task<string> FirstBySeabirdMeaningAsync(SearchEngine engine) =>
        (await engine.SearchAsync(new SearchRequest("where seabirds stop on their yearly flight between the poles", SearchMode.Semantic), CancellationToken.None)).Hits[0].Paper.Id;

    [Fact]
    public async Task A_paper_embedded_again_is_not_searched_with_its_old_vector_after_a_restart()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        using var files = new TestData.TempDir();
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-20"));
        var options = new SearchOptions { ExactBelow = 50 }; // 211 papers: HNSW
        var index = Path.Combine(db.DataDirectory, "index");
        Directory.CreateDirectory(index);
        File.WriteAllText(Path.Combine(index, "vectors-another-model-0123456789ab.usearch"), "left by another model");

        string id;
        using (var engine = new SearchEngine(db.Store, options, db.DataDirectory, NullLogger<SearchEngine>.Instance))
        {
            Assert.Null(engine.SemanticCoverage);
            // A backlog embedded in slices, as serve does: semantic search says how much of it it sees so far.
            await engine.Upkeep.CatchUpAsync(null, CancellationToken.None, maxEmbed: 64);
            Assert.Equal((64, 211), engine.SemanticCoverage);
            await engine.Upkeep.CatchUpAsync(null, CancellationToken.None);
            Assert.Equal((211, 211), engine.SemanticCoverage);
            await engine.Upkeep.SaveSnapshotAsync(CancellationToken.None);
            var snapshot = Assert.Single(Directory.GetFiles(index, "vectors-*.usearch"));
            Assert.Contains(engine.Embedder!.ModelId.Replace('@', '-'), snapshot, StringComparison.Ordinal);

            // Semantic search on the graph finds a paper from its own title.
            var paper = (await db.Store.GetPapersAsync([(await engine.SearchAsync(new SearchRequest("language models", SearchMode.Keyword), CancellationToken.None)).Hits[0].Paper.Id]))[0];
            id = paper.Id;
            var byTitle = await engine.SearchAsync(new SearchRequest(paper.Title + " " + paper.Abstract[..200], SearchMode.Semantic), CancellationToken.None);
            Assert.Equal(id, byTitle.Hits[0].Paper.Id);

            // The paper's text changes completely and it is embedded again: same count of vectors as the snapshot.
            await RewriteAboutSeabirdsAsync(db, files, id);
            var caughtUp = await engine.Upkeep.CatchUpAsync(null, CancellationToken.None);
            Assert.Equal(1, caughtUp.Embedded);
        }

        // A new process: the saved graph holds the old vector, so it must be rebuilt from the database.
        using var restarted = new SearchEngine(db.Store, options, db.DataDirectory, NullLogger<SearchEngine>.Instance);
        Assert.Equal(0, (await restarted.Upkeep.CatchUpAsync(null, CancellationToken.None)).Embedded);
        Assert.Equal(id, await FirstBySeabirdMeaningAsync(restarted));
    }

    [Fact]
    public async Task A_paper_another_node_embedded_first_is_found_by_meaning_on_this_node()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        using var nodeB = new TestData.TempDir();
        using var files = new TestData.TempDir();
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-20"));
        var options = new SearchOptions();
        using var a = new SearchEngine(db.Store, options, db.DataDirectory, NullLogger<SearchEngine>.Instance);
        using var b = new SearchEngine(db.Store, options, nodeB.Path, NullLogger<SearchEngine>.Instance);
        Assert.Equal(211, (await a.Upkeep.CatchUpAsync(null, CancellationToken.None)).Embedded);
        Assert.Equal(0, (await b.Upkeep.CatchUpAsync(null, CancellationToken.None)).Embedded); // B reads A's vectors

        var id = (await a.SearchAsync(new SearchRequest("language models", SearchMode.Keyword), CancellationToken.None)).Hits[0].Paper.Id;
        await RewriteAboutSeabirdsAsync(db, files, id);

        // B gets there first; A then finds nothing to embed, and must still pick up B's vector.
        Assert.Equal(1, (await b.Upkeep.CatchUpAsync(null, CancellationToken.None)).Embedded);
        Assert.Equal(0, (await a.Upkeep.CatchUpAsync(null, CancellationToken.None)).Embedded);
        Assert.Equal(id, await FirstBySeabirdMeaningAsync(a));
    }

    [Fact]
    public async Task Searches_go_on_while_a_new_graph_is_swapped_in()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        using var files = new TestData.TempDir();
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-20"));
        using var engine = new SearchEngine(db.Store, new SearchOptions { ExactBelow = 50 }, db.DataDirectory, NullLogger<SearchEngine>.Instance);
        await engine.Upkeep.CatchUpAsync(null, CancellationToken.None);
        await engine.Upkeep.SaveSnapshotAsync(CancellationToken.None);
        var id = (await engine.SearchAsync(new SearchRequest("language models", SearchMode.Keyword), CancellationToken.None)).Hits[0].Paper.Id;

        using var stop = new CancellationTokenSource();
        var searches = 0;
        var searching = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await engine.SearchAsync(new SearchRequest("graph neural networks for molecules"), CancellationToken.None);
                Assert.Equal(SearchMode.Hybrid, r.Mode);
                Assert.NotEmpty(r.Hits);
                searches++;
            }
        });
        // Each round: a paper's text changes, its new vector waits beside the graph, and a new graph replaces the old
        // one while searches run on it.
        for (var round = 1; round <= 3; round++)
        {
            var changed = Importing.Write(files, $"2025-03-2{round}.jsonl", Importing.ListingLine(id, $"Revised title number {round}"));
            await Importing.ImportAsync(db.Store, changed);
            Assert.Equal(1, (await engine.Upkeep.CatchUpAsync(null, CancellationToken.None)).Embedded);
            await engine.Upkeep.SaveSnapshotAsync(CancellationToken.None);
        }
        await stop.CancelAsync();
        await searching; // no search failed
        Assert.True(searches > 0);
    }
}
