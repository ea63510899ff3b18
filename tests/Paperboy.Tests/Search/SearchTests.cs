using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Search;
using Paperboy.Core.Search.Fusion;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Search;

/// <summary>
/// One day of real papers, indexed and embedded once (the model is real: MiniLM from its NuGet package), searched
/// over HTTP on each provider.
/// </summary>
public sealed class SearchFixture : IAsyncLifetime
{
    public Dictionary<string, TestStore> Stores { get; } = [];
    public Dictionary<string, PaperboyFactory> Apps { get; } = [];
    public List<(string Id, string Title, string Abstract)> Papers { get; } = [];

    public async Task InitializeAsync()
    {
        foreach (var provider in new[] { "sqlite", "postgres" })
        {
            var db = await TestStore.CreateAsync(provider);
            Stores[provider] = db;
            await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-20"));
            var app = new PaperboyFactory(db, new Dictionary<string, string?> { ["Search:Semantic"] = "true", ["Search:IndexPollInterval"] = "00:00:00.2" });
            Apps[provider] = app;
            var engine = app.Services.GetRequiredService<SearchEngine>();
            var caught = await engine.Upkeep.CatchUpAsync(null, CancellationToken.None);
            Assert.True(engine.SemanticReady, engine.SemanticStatus);
            Assert.Equal(211, engine.FullText.Count);
        }
        var page = await Stores["sqlite"].Store.GetListingAsync(new Core.Papers.ListingQuery(Core.Papers.ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, Core.Papers.ListingSort.Published, 0, 1000));
        Papers.AddRange(page.Items.Select(i => (i.Paper.Id, i.Paper.Title, i.Paper.Abstract)));
    }

    public async Task DisposeAsync()
    {
        foreach (var app in Apps.Values)
            await app.DisposeAsync();
        foreach (var db in Stores.Values)
            await db.DisposeAsync();
    }
}

[CollectionDefinition("search")]
public sealed class SearchCollection : ICollectionFixture<SearchFixture>;

[Collection("search")]
public abstract class SearchTests(SearchFixture fixture) : IDisposable
{
    protected abstract string Provider { get; }

    private HttpClient? _client;
    private HttpClient Http => _client ??= fixture.Apps[Provider].CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public void Dispose()
    {
        _client?.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var r = await Http.GetAsync(new Uri(url, UriKind.Relative));
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> ApiAsync(string url)
    {
        var (status, body) = await GetAsync(url);
        Assert.True(status == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Admin_status_says_what_search_covers_and_with_which_model()
    {
        var engine = fixture.Apps[Provider].Services.GetRequiredService<SearchEngine>();
        var search = (await ApiAsync("/api/admin/status")).GetProperty("search");
        Assert.Equal("on", search.GetProperty("semantic").GetString());
        var model = search.GetProperty("model").GetString();
        Assert.Equal(engine.Embedder!.ModelId, model);
        Assert.True(search.GetProperty("keywordIndexed").GetInt32() >= 211, search.ToString());
        Assert.True(search.GetProperty("vectorIndexed").GetInt32() >= 211, search.ToString());
        var inStore = Assert.Single(search.GetProperty("embedded").EnumerateArray());
        Assert.Equal(model, inStore.GetProperty("model").GetString());
        Assert.True(inStore.GetProperty("papers").GetInt64() >= 211, search.ToString());
    }

    [Fact]
    public async Task An_exact_title_finds_its_paper_first_in_every_mode()
    {
        foreach (var (id, title, _) in fixture.Papers.Take(15))
        {
            foreach (var mode in new[] { "hybrid", "keyword", "semantic" })
            {
                var hits = await ApiAsync($"/api/papers/search?q={Uri.EscapeDataString(title)}&mode={mode}&limit=5");
                Assert.Equal(id, hits[0].GetProperty("paper").GetProperty("id").GetString());
            }
        }
    }

    [Fact]
    public async Task Semantic_search_finds_a_paper_from_a_paraphrase_of_its_abstract()
    {
        // The abstract's second half, words shuffled: no phrase survives, the meaning does.
        var found = 0;
        foreach (var (id, _, abs) in fixture.Papers.Take(20))
        {
            var words = abs.Split(' ');
            var query = string.Join(' ', words.Skip(words.Length / 2).Take(40).Reverse());
            var hits = await ApiAsync($"/api/papers/search?q={Uri.EscapeDataString(query)}&mode=semantic&limit=10");
            if (hits.EnumerateArray().Any(h => h.GetProperty("paper").GetProperty("id").GetString() == id))
                found++;
        }
        Assert.True(found >= 16, $"{found} of 20 found");
    }

    [Fact]
    public async Task Explain_mode_shows_each_lists_rank_and_score()
    {
        var title = fixture.Papers[3].Title;
        var hits = await ApiAsync($"/api/papers/search?q={Uri.EscapeDataString(title)}&explain=true&limit=3");
        var explain = hits[0].GetProperty("explain");
        var lists = explain.EnumerateArray().Select(e => e.GetProperty("list").GetString()).Order().ToList();
        Assert.Equal(["keyword", "semantic"], lists);
        Assert.All(explain.EnumerateArray(), e => Assert.True(e.GetProperty("rank").GetInt32() >= 1));
        var sum = explain.EnumerateArray().Sum(e => e.GetProperty("share").GetDouble());
        Assert.Equal(hits[0].GetProperty("score").GetDouble(), sum, 5);
    }

    [Fact]
    public async Task Filters_and_date_sort_apply_to_every_list()
    {
        var hits = await ApiAsync("/api/papers/search?q=robot%20manipulation%20policy&category=cs.RO&limit=50");
        Assert.NotEmpty(hits.EnumerateArray());
        Assert.All(hits.EnumerateArray(), h => Assert.Contains("cs.RO", h.GetProperty("paper").GetProperty("categories").EnumerateArray().Select(c => c.GetString())));
        var none = await ApiAsync("/api/papers/search?q=robot%20manipulation&from=2026-01-01&limit=50");
        Assert.Empty(none.EnumerateArray());
        var some = await ApiAsync("/api/papers/search?q=robot%20manipulation&from=2025-03-20&to=2025-03-20&sort=date&limit=50");
        Assert.NotEmpty(some.EnumerateArray());
    }

    [Fact]
    public async Task The_search_page_highlights_matches_and_a_pasted_id_goes_to_the_paper()
    {
        var (id, title, _) = fixture.Papers[5];
        var word = title.Split(' ').First(w => w.Length > 6 && w.All(char.IsLetter));
        var (status, page) = await GetAsync("/search?q=" + Uri.EscapeDataString(word));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<mark>", page, StringComparison.Ordinal);
        // A highlighted word sits in the text as it was: no space added before or after the mark.
        Assert.DoesNotMatch(@"</mark>\r?\n|\n\s*<mark>", page);
        Assert.Contains("name=\"q\"", page, StringComparison.Ordinal);

        using var direct = await Http.GetAsync(new Uri("/search?q=arXiv:" + id + "v2", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, direct.StatusCode);
        Assert.Equal("/papers/" + id, direct.Headers.Location?.ToString());

        // Every page has the search box.
        var (_, day) = await GetAsync("/papers/date/2025-03-20");
        Assert.Contains("action=\"/search\"", day, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_search_page_says_what_its_count_means()
    {
        var engine = fixture.Apps[Provider].Services.GetRequiredService<SearchEngine>();
        var matches = engine.FullText.Search("learning", 1000, null).TotalHits;
        Assert.InRange(matches, 2, 199);
        var (_, keyword) = await GetAsync("/search?q=learning&mode=keyword");
        Assert.Contains($">{matches} papers match</span>", keyword, StringComparison.Ordinal);
        // Every paper is somewhat close in meaning: the other modes say "the best N", with the word count beside it.
        var (_, hybrid) = await GetAsync("/search?q=learning");
        Assert.Matches($@">The best \d+ by words and meaning; {matches} papers match the words</span>", hybrid);
        var (_, semantic) = await GetAsync("/search?q=learning&mode=semantic");
        Assert.Contains(">The 200 papers closest in meaning</span>", semantic, StringComparison.Ordinal);
        var (_, none) = await GetAsync("/search?q=zzqxqzz&mode=keyword");
        Assert.Contains(">No results</span>", none, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paper_page_lists_its_ten_most_similar_papers()
    {
        var (id, _, _) = fixture.Papers[7];
        var similar = await ApiAsync($"/api/papers/{id}/similar");
        Assert.Equal(10, similar.GetArrayLength());
        Assert.DoesNotContain(id, similar.EnumerateArray().Select(s => s.GetProperty("paper").GetProperty("id").GetString()));
        var scores = similar.EnumerateArray().Select(s => s.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        var (_, page) = await GetAsync("/papers/" + id);
        Assert.Contains("Similar papers", page, StringComparison.Ordinal);
        Assert.Contains(similar[0].GetProperty("paper").GetProperty("id").GetString()!, page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("the of and a to")]
    [InlineData("title:(")]
    [InlineData("\"unbalanced AND OR NOT")]
    [InlineData("深度学习 🤖 réseaux")]
    [InlineData("$\\mathcal{O}(n^2)$ bound")]
    [InlineData("*:* category:cs.CV id:x")]
    public async Task Odd_queries_get_results_or_none_never_an_error(string q)
    {
        foreach (var mode in new[] { "hybrid", "keyword", "semantic" })
        {
            var (status, body) = await GetAsync($"/api/papers/search?q={Uri.EscapeDataString(q)}&mode={mode}");
            Assert.True(status == HttpStatusCode.OK, body);
            var (pageStatus, _) = await GetAsync($"/search?q={Uri.EscapeDataString(q)}&mode={mode}");
            Assert.Equal(HttpStatusCode.OK, pageStatus);
        }
    }

    [Theory]
    [InlineData("", "q: give something to search for")]
    [InlineData("   ", "q: give something to search for")]
    [InlineData("LONG", "the limit is 2,000")]
    public async Task Empty_and_huge_queries_get_a_clear_400(string q, string message)
    {
        if (q == "LONG")
            q = string.Concat(Enumerable.Repeat("word ", 2_000));
        var (status, body) = await GetAsync($"/api/papers/search?q={Uri.EscapeDataString(q)}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, body, StringComparison.Ordinal);
        if (q.Length > 100)
        {
            var (pageStatus, page) = await GetAsync($"/search?q={Uri.EscapeDataString(q)}");
            Assert.Equal(HttpStatusCode.BadRequest, pageStatus);
            Assert.Contains("the limit is 2,000", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_new_paper_is_findable_by_keyword_within_seconds()
    {
        using var dir = new TestData.TempDir();
        var marker = "Zorblatt" + Provider;
        await Importing.ImportAsync(fixture.Stores[Provider].Store,
            Importing.Write(dir, "2025-03-21.jsonl", Importing.ListingLine(Provider == "sqlite" ? "2503.99991" : "2503.99992", $"The {marker} conjecture for sparse attention")));
        JsonElement hits = default;
        for (var i = 0; i < 100; i++)
        {
            hits = await ApiAsync($"/api/papers/search?q={marker}&mode=keyword");
            if (hits.GetArrayLength() > 0)
                break;
            await Task.Delay(100);
        }
        Assert.Equal(1, hits.GetArrayLength());
    }
}

public sealed class SqliteSearchTests(SearchFixture fixture) : SearchTests(fixture)
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresSearchTests(SearchFixture fixture) : SearchTests(fixture)
{
    protected override string Provider => "postgres";
}

public sealed class FusionTests
{
    [Fact]
    public void Reciprocal_rank_fusion_adds_weighted_reciprocal_ranks_and_explains_them()
    {
        var fusion = new ReciprocalRankFusion(10, new Dictionary<string, double> { ["keyword"] = 2 });
        var fused = fusion.Fuse(new Dictionary<string, IReadOnlyList<(string Id, float Score)>>
        {
            ["keyword"] = [("a", 9f), ("b", 5f)],
            ["semantic"] = [("b", .9f), ("c", .8f)],
        });
        Assert.Equal(["b", "a", "c"], fused.Select(f => f.Id));
        Assert.Equal(2.0 / 12 + 1.0 / 11, fused[0].Score, 10);
        Assert.Equal([("keyword", 2), ("semantic", 1)], fused[0].Explain.Select(e => (e.List, e.Rank)));
    }
}

public sealed class SemanticOffTests
{
    [Fact]
    public async Task When_the_model_cannot_load_keyword_search_still_works_and_the_page_says_so()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-19"));
        // A file where the model folder should be: the model cannot be extracted.
        Directory.CreateDirectory(Path.Combine(db.DataDirectory, "models"));
        await File.WriteAllTextAsync(Path.Combine(db.DataDirectory, "models", "all-MiniLM-L6-v2"), "not a folder");
        await using var app = new PaperboyFactory(db, new Dictionary<string, string?> { ["Search:Semantic"] = "true" });
        var engine = app.Services.GetRequiredService<SearchEngine>();
        await engine.Upkeep.CatchUpAsync(null, CancellationToken.None);
        Assert.False(engine.SemanticReady);
        using var http = app.CreateClient();
        var page = await http.GetStringAsync(new Uri("/search?q=language%20models", UriKind.Relative));
        Assert.Contains("Semantic search is off right now", page, StringComparison.Ordinal);
        using var hits = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/papers/search?q=language%20models&mode=semantic", UriKind.Relative)));
        Assert.NotEmpty(hits.RootElement.EnumerateArray());
    }
}
