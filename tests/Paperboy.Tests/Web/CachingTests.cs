using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Paperboy.Core.Search;
using Paperboy.Core.Search.Embeddings;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Web;

/// <summary>What makes repeated requests cheap, and what keeps the cheap answers from going stale.</summary>
public sealed class CachingTests
{
    /// <summary>The real model, with a count of the queries it was asked to embed.</summary>
    private sealed class CountingEmbedder(ITextEmbedder inner) : ITextEmbedder
    {
        public int Queries;
        public string ModelId => inner.ModelId;
        public int Dimensions => inner.Dimensions;
        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken ct = default) => inner.Embed(texts, ct);

        public float[] EmbedQuery(string text, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Queries);
            return inner.EmbedQuery(text, ct);
        }

        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public async Task A_repeated_query_is_embedded_once_and_answered_the_same()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-20"));
        var embedder = new CountingEmbedder(new MiniLmEmbedder(Path.Combine(db.DataDirectory, "models"), intraOpThreads: 1));
        using var engine = new SearchEngine(db.Store, new SearchOptions { QueryCacheSize = 2 }, db.DataDirectory, NullLogger<SearchEngine>.Instance, embedder);
        await engine.Upkeep.CatchUpAsync(null, CancellationToken.None);

        async Task<string[]> Search(string q) =>
            (await engine.SearchAsync(new SearchRequest(q, SearchMode.Semantic), CancellationToken.None)).Hits.Select(h => h.Paper.Id).ToArray();
        var first = await Search("robots that learn to grasp");
        Assert.Equal(first, await Search("robots that learn to grasp"));
        Assert.Equal(first, await Search("  robots that learn to grasp ")); // the same query, trimmed
        Assert.Equal(1, embedder.Queries);

        // Bounded: with room for two, a third query pushes out the least recently used one.
        await Search("speech recognition");
        await Search("protein folding");
        Assert.Equal(3, embedder.Queries);
        await Search("robots that learn to grasp");
        Assert.Equal(4, embedder.Queries);
        await Search("protein folding");
        Assert.Equal(4, embedder.Queries);
    }

    [Fact]
    public async Task Anonymous_search_answers_are_cached_until_the_index_changes_and_never_for_credentials()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-20"));
        await using var app = new PaperboyFactory(db, new Dictionary<string, string?> { ["Search:IndexPollInterval"] = "00:00:00.1", ["Web:ChangePollSeconds"] = "0.1" });
        using var http = app.CreateClient();
        var engine = app.Services.GetRequiredService<SearchEngine>();
        await engine.Upkeep.CatchUpAsync(null, CancellationToken.None);

        const string url = "/api/papers/search?q=penguin+colonies+on+ice&mode=keyword";
        async Task<(string Body, bool FromCache)> Get(string path, string? bearer = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            if (bearer is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadAsStringAsync(), response.Headers.Age is not null);
        }

        var before = await Get(url);
        Assert.Equal("[]", before.Body);
        Assert.False(before.FromCache);
        Assert.True((await Get(url)).FromCache);
        Assert.False((await Get(url, bearer: "a-token")).FromCache); // a request with credentials is always made afresh
        Assert.True((await Get("/search?q=penguin+colonies")).FromCache is false);
        Assert.True((await Get("/search?q=penguin+colonies")).FromCache);

        // A new paper: once indexed, the same URL finds it; the cached empty answer is not served again.
        using var files = new TestData.TempDir();
        await Importing.ImportAsync(db.Store, Importing.Write(files, "2025-03-21.jsonl", Importing.ListingLine("2503.99999", "Penguin colonies on sea ice")));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var after = before;
        while (!after.Body.Contains("2503.99999", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            after = await Get(url);
        }
        Assert.Contains("2503.99999", after.Body, StringComparison.Ordinal);
        Assert.Contains("/papers/2503.99999", (await Get("/search?q=penguin+colonies")).Body, StringComparison.Ordinal);
    }
}
