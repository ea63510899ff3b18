using System.IO.Compression;
using System.Text.Json;
using Paperboy.Core.Search.Evaluation;
using Paperboy.Core.Search.FullText;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Search;

public sealed class FullTextIndexTests
{
    private static readonly DateOnly Day = new(2025, 3, 20);

    /// <summary>The unique papers of a real listing day, read at run time.</summary>
    private static readonly Lazy<List<FullTextDocument>> Listing = new(() => ReadListing("2025-03-20", Day));

    private static FullTextDocument Doc(string id, string title, string abstractText = "", string[]? categories = null, DateOnly? published = null, string[]? authors = null) =>
        new(id, title, abstractText, authors ?? ["Ada Lovelace"], categories ?? ["cs.LG"], published);

    private static FullTextIndex ListingIndex()
    {
        var index = FullTextIndex.InMemory();
        index.Upsert(Listing.Value);
        index.Commit();
        return index;
    }

    private static List<string> Ids(FullTextResult result) => result.Hits.Select(h => h.Id).ToList();

    [Fact]
    public void Searching_a_papers_exact_title_finds_that_paper_first()
    {
        using var index = ListingIndex();
        var papers = Listing.Value;
        Assert.True(papers.Count > 150);
        Assert.Equal(papers.Count, index.Count);

        foreach (var paper in papers)
        {
            var result = index.Search(paper.Title, 10);
            Assert.True(result.Hits.Count > 0, paper.Title);
            Assert.Equal(paper.Id, result.Hits[0].Id);
            Assert.True(result.TotalHits >= result.Hits.Count);
        }
    }

    [Fact]
    public void Hits_are_ordered_by_score_and_limited()
    {
        using var index = ListingIndex();
        var result = index.Search("large language models reasoning", 5);
        Assert.Equal(5, result.Hits.Count);
        Assert.True(result.TotalHits > 5);
        for (var i = 1; i < result.Hits.Count; i++)
            Assert.True(result.Hits[i - 1].Score >= result.Hits[i].Score);
        Assert.Empty(index.Search("large language models", 0).Hits);
    }

    [Fact]
    public void Words_match_by_their_stem_case_and_accents_ignored()
    {
        using var index = FullTextIndex.InMemory();
        index.Upsert([
            Doc("a", "Learning to rank", "We study how rankers are learned from clicks."),
            Doc("b", "Protein folding", "Structures of proteins."),
            Doc("c", "Schrödinger bridges", "Transport between distributions."),
        ]);
        index.Commit();

        Assert.Equal(["a"], Ids(index.Search("learned", 10)));
        Assert.Equal(["a"], Ids(index.Search("LEARNS", 10)));
        Assert.Equal(["b"], Ids(index.Search("protein", 10)));
        Assert.Equal(["c"], Ids(index.Search("schrodinger", 10)));
        Assert.Equal(["c"], Ids(index.Search("Schrödinger's", 10)));
    }

    [Fact]
    public void Authors_are_searched()
    {
        using var index = FullTextIndex.InMemory();
        index.Upsert([
            Doc("a", "Graph networks", authors: ["Grace Hopper", "Edsger Dijkstra"]),
            Doc("b", "Sparse attention", authors: ["Barbara Liskov"]),
        ]);
        index.Commit();
        Assert.Equal(["b"], Ids(index.Search("liskov", 10)));
        Assert.Equal("a", index.Search("dijkstra graph", 10).Hits[0].Id);
    }

    [Fact]
    public void Category_and_date_filters_restrict_hits_and_cannot_be_bypassed_from_the_query()
    {
        using var index = FullTextIndex.InMemory();
        index.Upsert([
            Doc("lg-old", "Diffusion models for images", categories: ["cs.LG", "stat.ML"], published: new DateOnly(2024, 1, 5)),
            Doc("lg-new", "Diffusion models for audio", categories: ["cs.LG"], published: new DateOnly(2025, 3, 20)),
            Doc("cv-new", "Diffusion models for video", categories: ["cs.CV"], published: new DateOnly(2025, 3, 21)),
            Doc("undated", "Diffusion models for text", categories: ["cs.CL"], published: null),
        ]);
        index.Commit();

        Assert.Equal(4, index.Search("diffusion", 10).TotalHits);
        Assert.Equal(["cv-new"], Ids(index.Search("diffusion", 10, new FullTextFilter(["cs.CV"]))));
        Assert.Equal(["lg-new", "lg-old"], Ids(index.Search("diffusion", 10, new FullTextFilter(["cs.LG"]))).Order(StringComparer.Ordinal));
        Assert.Equal(["cv-new", "lg-old"], Ids(index.Search("diffusion", 10, new FullTextFilter(["stat.ML", "cs.CV"]))).Order(StringComparer.Ordinal));
        Assert.Empty(index.Search("diffusion", 10, new FullTextFilter(["cs"])).Hits);

        Assert.Equal(["cv-new", "lg-new"], Ids(index.Search("diffusion", 10, new FullTextFilter(From: new DateOnly(2025, 3, 20)))).Order(StringComparer.Ordinal));
        Assert.Equal(["lg-old"], Ids(index.Search("diffusion", 10, new FullTextFilter(To: new DateOnly(2025, 3, 19)))));
        Assert.Equal(["lg-new"], Ids(index.Search("diffusion", 10, new FullTextFilter(From: new DateOnly(2025, 3, 20), To: new DateOnly(2025, 3, 20)))));
        Assert.Equal(["lg-new"], Ids(index.Search("diffusion", 10, new FullTextFilter(["cs.LG", "cs.CL"], new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31)))));
        Assert.Equal(4, index.Search("diffusion", 10, new FullTextFilter([], null, null)).TotalHits);

        // Field syntax is read as words, so it can neither reach other fields nor widen the filter.
        foreach (var trick in new[] { "category:cs.CV", "diffusion OR category:cs.CV", "*:*", "published:[0 TO 99999999] diffusion", "id:cv-new" })
            Assert.DoesNotContain("cv-new", Ids(index.Search(trick, 10, new FullTextFilter(["cs.LG"]))));
        Assert.Empty(index.Search("*:*", 10).Hits);
    }

    [Fact]
    public void Upsert_replaces_a_paper_by_id_and_changes_show_after_commit()
    {
        using var index = FullTextIndex.InMemory();
        index.Upsert([Doc("p1", "Quantum annealing schedules"), Doc("p2", "Unrelated topic")]);
        index.Commit();
        Assert.Equal(2, index.Count);

        index.Upsert([Doc("p1", "Photonic neural accelerators")]);
        // Not committed yet: searches still see the old text.
        Assert.Equal(["p1"], Ids(index.Search("quantum annealing", 10)));
        Assert.Empty(index.Search("photonic", 10).Hits);

        index.Commit();
        Assert.Equal(2, index.Count);
        Assert.Empty(index.Search("quantum annealing", 10).Hits);
        var hits = index.Search("photonic accelerators", 10);
        Assert.Equal(["p1"], Ids(hits));
        Assert.Equal(1, hits.TotalHits);

        // The same paper twice in one batch: the last one wins, still one document.
        index.Upsert([Doc("p3", "First draft"), Doc("p3", "Second draft")]);
        index.Commit();
        Assert.Equal(3, index.Count);
        Assert.Equal(["p3"], Ids(index.Search("draft", 10)));
        Assert.Empty(index.Search("first", 10).Hits);
    }

    [Fact]
    public void Delete_and_clear_remove_papers()
    {
        using var index = FullTextIndex.InMemory();
        index.Upsert([Doc("p1", "Sparse autoencoders"), Doc("p2", "Sparse attention")]);
        index.Commit();

        index.Delete("p1");
        index.Delete("never-there");
        Assert.Equal(2, index.Count);
        index.Commit();
        Assert.Equal(1, index.Count);
        Assert.Equal(["p2"], Ids(index.Search("sparse", 10)));

        index.Clear();
        Assert.Equal(0, index.Count);
        Assert.Empty(index.Search("sparse", 10).Hits);
    }

    [Fact]
    public void An_index_on_disk_keeps_committed_papers_across_reopening()
    {
        using var dir = new TestData.TempDir();
        var path = Path.Combine(dir.Path, "fulltext");
        using (var index = new FullTextIndex(path))
        {
            Assert.Equal(0, index.Count);
            index.Upsert([Doc("p1", "Kernel methods on manifolds")]);
            index.Commit();
        }
        using (var index = new FullTextIndex(path))
        {
            Assert.Equal(1, index.Count);
            Assert.Equal(["p1"], Ids(index.Search("manifold kernels", 10)));
        }
    }

    public static TheoryData<string> BadQueries() => new()
    {
        "",
        "   ",
        "\t\n",
        "the and of a",
        "title:(",
        "\"unbalanced",
        "AND OR NOT",
        "NOT",
        "title:(\"x\" AND",
        "((((",
        "*",
        "?",
        "~2",
        "^3",
        "[1 TO",
        "{a TO b}",
        "a:b:c:",
        "\\",
        "\"\"",
        "\"the of\" \"a\"",
        "/regex.*/",
        "+-&&||!(){}[]^\"~*?:\\/",
        "$\\mathcal{O}(n^2)$",
        "$\\frac{a}{b}$ and \\alpha_{i}",
        "大型语言模型的推理",
        "🤖🧠 robots 🚀",
        "résumé naïve café Ångström",
        "\u0000\uFFFF\uD83D",
        new string('a', 10_000),
        string.Join(' ', Enumerable.Range(0, 2_000).Select(i => "word" + i)),
        string.Concat(Enumerable.Repeat("title:( \"x AND ", 700)),
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public void Any_user_input_is_searched_without_exceptions(string query)
    {
        using var index = ListingIndex();
        var result = index.Search(query, 20);
        Assert.True(result.Hits.Count <= 20);
        Assert.True(result.TotalHits >= result.Hits.Count);
        index.Search(query, 20, new FullTextFilter(["cs.LG"], new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31)));
        var segments = index.Highlight("Reasoning in large language models, $\\mathcal{O}(n^2)$ 大型语言模型 🤖.", query, 0);
        Assert.Equal("Reasoning in large language models, $\\mathcal{O}(n^2)$ 大型语言模型 🤖.", string.Concat(segments.Select(s => s.Text)));
    }

    [Fact]
    public void Empty_and_stop_word_queries_have_no_hits()
    {
        using var index = ListingIndex();
        Assert.Equal(0, index.Search("", 10).TotalHits);
        Assert.Equal(0, index.Search("the of and", 10).TotalHits);
        Assert.Empty(index.Search(null!, 10).Hits);
    }

    [Fact]
    public void A_very_long_query_uses_its_first_terms()
    {
        using var index = ListingIndex();
        var paper = Listing.Value[3];
        var noise = string.Join(' ', Enumerable.Range(0, 3_000).Select(i => "zz" + i));
        Assert.Equal(paper.Id, index.Search(paper.Title + " " + noise, 10).Hits[0].Id);
        Assert.Empty(index.Search(noise + " " + paper.Title, 10).Hits);
    }

    [Fact]
    public void Unicode_and_latex_text_is_searchable()
    {
        using var index = FullTextIndex.InMemory();
        index.Upsert([
            Doc("zh", "大型语言模型", "中文摘要"),
            Doc("tex", "Sorting in $\\mathcal{O}(n \\log n)$ time", "Comparison sorts."),
            Doc("other", "Something else entirely"),
        ]);
        index.Commit();
        Assert.Equal("zh", index.Search("语言模型", 10).Hits[0].Id);
        Assert.Equal("tex", index.Search("$\\mathcal{O}(n \\log n)$ sorting", 10).Hits[0].Id);
    }

    [Fact]
    public void A_quoted_phrase_ranks_the_exact_phrase_first_without_excluding_others()
    {
        using var index = FullTextIndex.InMemory();
        index.Upsert([
            Doc("scattered", "Networks of neural cells", "Neural tissue forms networks."),
            Doc("phrase", "Pruning neural networks", "We prune."),
        ]);
        index.Commit();
        var result = index.Search("\"neural networks\"", 10);
        Assert.Equal(["phrase", "scattered"], Ids(result));
    }

    [Fact]
    public void A_title_highlight_covers_the_whole_title_and_marks_the_matched_words()
    {
        using var index = FullTextIndex.InMemory();
        const string title = "Learning Robust Policies: Learned Models for Schrödinger's Cat (v2)";
        var segments = index.Highlight(title, "learn schrodinger cats the", 200);

        Assert.Equal(title, string.Concat(segments.Select(s => s.Text)));
        Assert.Equal(["Learning", "Learned", "Schrödinger's", "Cat"], segments.Where(s => s.IsMatch).Select(s => s.Text));
        Assert.DoesNotContain(segments, s => s.Text.Length == 0);

        var none = index.Highlight(title, "", 200);
        Assert.Equal([new HighlightSegment(title, false)], none);
        Assert.Empty(index.Highlight("", "learning", 200));
    }

    [Fact]
    public void Highlights_of_real_titles_cover_them_exactly()
    {
        using var index = ListingIndex();
        foreach (var paper in Listing.Value)
        {
            var words = paper.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var segments = index.Highlight(paper.Title, words[^1] + " " + words[0], 500);
            Assert.Equal(paper.Title, string.Concat(segments.Select(s => s.Text)));
        }
    }

    [Fact]
    public void An_abstract_highlight_is_its_best_fragment()
    {
        using var index = FullTextIndex.InMemory();
        var filler = string.Concat(Enumerable.Repeat("Some unrelated filler sentence about nothing. ", 30));
        var text = filler + "Here the graph transformer meets molecular property prediction. " + filler.TrimEnd();

        var segments = index.Highlight(text, "graph transformers molecular", 200);
        var shown = string.Concat(segments.Select(s => s.Text));
        Assert.True(shown.Length <= 200, shown);
        Assert.Equal("…", segments[0].Text);
        Assert.Equal("…", segments[^1].Text);
        Assert.Contains(shown[1..^1], text, StringComparison.Ordinal);
        Assert.Equal(["graph", "transformer", "molecular"], segments.Where(s => s.IsMatch).Select(s => s.Text));

        // No match: the start of the text.
        var plain = index.Highlight(text, "zebra", 100);
        Assert.DoesNotContain(plain, s => s.IsMatch);
        Assert.StartsWith("Some unrelated", plain[0].Text, StringComparison.Ordinal);
        Assert.True(string.Concat(plain.Select(s => s.Text)).Length <= 100);

        // Real abstracts: pieces are parts of the text in order, and every match is a matched word.
        foreach (var paper in Listing.Value.Take(50))
        {
            var parts = index.Highlight(paper.Abstract, paper.Title, 300);
            var joined = string.Concat(parts.Select(s => s.Text));
            Assert.True(joined.Length <= 300);
            Assert.Contains(joined.Trim('…'), paper.Abstract, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Searches_run_concurrently_with_upserts_and_commits()
    {
        using var index = FullTextIndex.InMemory();
        var papers = Listing.Value;
        index.Upsert(papers.Take(50));
        index.Commit();

        using var stop = new CancellationTokenSource();
        var searchers = Enumerable.Range(0, 4).Select(n => Task.Run(() =>
        {
            var done = 0;
            while (!stop.IsCancellationRequested || done < 20)
            {
                var paper = papers[(done * 7 + n) % 50];
                var result = index.Search(paper.Title, 10, done % 3 == 0 ? new FullTextFilter(paper.Categories) : null);
                Assert.NotEmpty(result.Hits);
                Assert.Equal(result.Hits.Count, result.Hits.Select(h => h.Id).Distinct().Count());
                _ = index.Count;
                done++;
            }
            return done;
        })).ToList();

        for (var round = 0; round < 10; round++)
        {
            index.Upsert(papers.Skip(round * 10).Take(60));
            index.Commit();
        }
        await stop.CancelAsync();
        var counts = await Task.WhenAll(searchers);
        Assert.All(counts, c => Assert.True(c >= 20));
        Assert.Equal(papers.Take(150).Count(), index.Count);
    }

    [Fact]
    public void Scifact_train_queries_rank_well()
    {
        var data = SciFact.Load(Path.Combine(TestData.Root, "scifact"), "qrels/train.tsv");
        Assert.Equal(809, data.JudgedQueries.Count);

        using var index = FullTextIndex.InMemory();
        index.Upsert(data.Corpus.Select(d => new FullTextDocument(d.Id, d.Title, d.Text, [], [], null)));
        index.Commit();
        Assert.Equal(data.Corpus.Count, index.Count);

        var queries = data.JudgedQueries.Take(100).ToList();
        double ndcg = 0, recall = 0;
        foreach (var q in queries)
        {
            var ranked = Ids(index.Search(q.Text, 100));
            ndcg += RetrievalMetrics.NdcgAt(10, ranked, data.Qrels[q.Id]);
            recall += RetrievalMetrics.RecallAt(100, ranked, data.Qrels[q.Id]);
        }
        // Measured with the defaults: nDCG@10 0.676, recall@100 0.93 on these 100 queries.
        Assert.InRange(ndcg / queries.Count, 0.60, 1.0);
        Assert.InRange(recall / queries.Count, 0.85, 1.0);
    }

    [Fact]
    public void Retrieval_metrics_follow_the_standard_definitions()
    {
        var relevant = new Dictionary<string, int> { ["a"] = 2, ["b"] = 1, ["z"] = 0 };
        Assert.Equal(1.0, RetrievalMetrics.NdcgAt(10, ["a", "b", "c"], relevant), 9);
        // b first, a second: (1/log2 2 + 3/log2 3) / (3/log2 2 + 1/log2 3)
        var expected = (1 + (3 / Math.Log2(3))) / (3 + (1 / Math.Log2(3)));
        Assert.Equal(expected, RetrievalMetrics.NdcgAt(10, ["b", "a"], relevant), 9);
        Assert.Equal(0.0, RetrievalMetrics.NdcgAt(10, ["c", "z"], relevant));
        Assert.Equal(1.0 / 3, RetrievalMetrics.NdcgAt(1, ["b", "a"], relevant), 9);
        Assert.Equal(0.5, RetrievalMetrics.RecallAt(1, ["a", "b"], relevant));
        Assert.Equal(1.0, RetrievalMetrics.RecallAt(100, ["c", "b", "a"], relevant));
        // A document listed twice counts once.
        Assert.Equal(0.5, RetrievalMetrics.RecallAt(3, ["a", "a", "a"], relevant));
        Assert.Equal(0.0, RetrievalMetrics.RecallAt(10, ["a"], new Dictionary<string, int>()));
    }

    private static List<FullTextDocument> ReadListing(string name, DateOnly day)
    {
        using var file = File.OpenRead(TestData.Listing(name));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var papers = new List<FullTextDocument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var id = root.GetProperty("id").GetString()!;
            if (!seen.Add(id))
                continue;
            papers.Add(new FullTextDocument(
                id,
                root.GetProperty("title").GetString()!,
                root.GetProperty("summary").GetString()!,
                root.GetProperty("authors").EnumerateArray().Select(a => a.GetString()!).ToList(),
                root.GetProperty("categories").EnumerateArray().Select(a => a.GetString()!).ToList(),
                day));
        }
        return papers;
    }
}
