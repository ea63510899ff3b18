using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Paperboy.Core.Search;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Search;

/// <summary>
/// Many searches at once on the HNSW path, as a busy server runs them: USearch keeps one search context per thread
/// that may search at once, and a search beyond those used to fail ("Reserve capacity ahead of searches!").
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Searchers = 64;

    [Fact]
    public async Task Sixty_four_concurrent_searches_and_similar_lookups_never_fail_while_vectors_arrive_and_the_graph_is_swapped()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        using var files = new TestData.TempDir();
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-20"));
        using var engine = new SearchEngine(db.Store, new SearchOptions { ExactBelow = 50 }, db.DataDirectory, NullLogger<SearchEngine>.Instance);
        await engine.Upkeep.CatchUpAsync(null, CancellationToken.None);
        await engine.Upkeep.SaveSnapshotAsync(CancellationToken.None); // 211 vectors: an HNSW graph, memory-mapped
        var ids = (await engine.SearchAsync(new SearchRequest("learning", SearchMode.Keyword, Limit: 100), CancellationToken.None)).Hits.Select(h => h.Paper.Id).ToArray();
        Assert.True(ids.Length >= 50);

        var failures = new ConcurrentQueue<Exception>();
        var done = new int[Searchers];
        using var stop = new CancellationTokenSource();
        var queries = new[] { "graph neural networks for molecules", "speech recognition in noisy rooms", "robot grasping from images", "protein structure" };
        // Dedicated threads, not pool tasks: the pool starts with one thread per core, which would hide the race.
        var threads = Enumerable.Range(0, Searchers).Select(t => new Thread(() =>
        {
            var i = t;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (i % 2 == 0)
                    {
                        var similar = engine.SimilarAsync(ids[i % ids.Length], 10, CancellationToken.None).GetAwaiter().GetResult();
                        Assert.Equal(10, similar.Count);
                    }
                    else
                    {
                        var hits = engine.SearchAsync(new SearchRequest(queries[i % queries.Length], SearchMode.Semantic), CancellationToken.None).GetAwaiter().GetResult();
                        Assert.Equal(SearchMode.Semantic, hits.Mode);
                        Assert.NotEmpty(hits.Hits);
                    }
                    done[t]++;
                }
#pragma warning disable CA1031 // every failure is collected and reported below
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failures.Enqueue(ex);
                }
                i++;
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());

        // Meanwhile, new vectors beside the graph and a new graph in its place, twice each.
        for (var round = 1; round <= 2; round++)
        {
            var changed = Importing.Write(files, $"2025-03-2{round}.jsonl", Importing.ListingLine(ids[round], $"Revised title number {round}"));
            await Importing.ImportAsync(db.Store, changed);
            Assert.Equal(1, (await engine.Upkeep.CatchUpAsync(null, CancellationToken.None)).Embedded);
            await Task.Delay(500);
            await engine.Upkeep.SaveSnapshotAsync(CancellationToken.None);
            await Task.Delay(500);
        }
        await Task.Delay(1000);
        await stop.CancelAsync();
        threads.ForEach(t => t.Join());

        Assert.True(failures.IsEmpty, $"{failures.Count} of {done.Sum() + failures.Count} failed; first: {failures.FirstOrDefault()}");
        Assert.True(done.Count(d => d > 0) == Searchers, "every searcher got through at least once");
    }
}
