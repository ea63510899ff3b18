using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Paperboy.Core.Recommend;
using Paperboy.Core.Recommend.Evaluation;
using Paperboy.Core.Recommend.Text;
using Paperboy.Core.Search;
using Paperboy.Storage.Sqlite;

namespace Paperboy.Bench;

/// <summary>The recommender: what was tried against the evaluation, and its speed.</summary>
internal static class RecommendVariants
{
    /// <summary>recommend-variants DATA SPLIT [MEMBERS] [SEED] [NAMES...]: `eval recommend` with variants of ours beside the SVM.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var data = args[0];
        var split = DateOnly.ParseExact(args[1], "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var members = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
        var seed = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var names = args.Skip(4).ToHashSet(StringComparer.Ordinal);
        await using var store = SqliteStorage.Open(data);
        using var indexes = new SearchIndexes(new SearchOptions(), data, NullLogger.Instance);
        ITextEmbedder Embedder() => indexes.Embedder ?? throw new InvalidOperationException("the model did not load: " + indexes.SemanticStatus);
        var spaces = new Dictionary<KeywordSettings, KeywordSpace>();
        KeywordSpace Space(EvalSetup setup, KeywordSettings k)
        {
            lock (spaces)
            {
                if (!spaces.TryGetValue(k, out var space))
                    spaces[k] = space = OursSystem.CorpusKeywords(setup, k);
                return space;
            }
        }
        SystemFactory Ours(string name, RecommenderSettings s, bool pool = false) =>
            new(name, (setup, _) => new OursSystem(setup, s, pool, pool ? null : Space(setup, s.Keywords)), s.EmbeddingWeight != 0);
        var stems = new KeywordSettings();
        var words = new KeywordSettings { Analysis = KeywordAnalysis.Words };
        var ours = RecommenderSettings.Default;
        var lntf = ours.Keywords with { Bm25K1 = null };
        var variants = new List<SystemFactory>
        {
            new("tfidf-svm", (setup, m) => new TfidfSvmSystem(setup, m)),
            Ours("ours", ours),
            Ours("ours-hub0", ours with { HubWeight = 0 }),
            Ours("ours-hub0.25", ours with { HubWeight = 0.25 }),
            Ours("ours-hub0.75", ours with { HubWeight = 0.75 }),
            Ours("ours-hubk5", ours with { HubNeighbours = 5 }),
            Ours("ours-hubk20", ours with { HubNeighbours = 20 }),
            Ours("ours-hubk20-0.75", ours with { HubNeighbours = 20, HubWeight = 0.75 }),
            Ours("ours-k1.2-b0.75", ours with { Keywords = ours.Keywords with { Bm25K1 = 1.2, Bm25B = 0.75 } }),
            Ours("ours-top3", ours with { TopK = 3 }),
            Ours("ours-top8", ours with { TopK = 8 }),
            Ours("ours-idf2.5", ours with { Keywords = ours.Keywords with { IdfPower = 2.5 } }),
            Ours("ln-tf", ours with { Keywords = lntf, HubWeight = 0 }),
            Ours("ln-tf-top3", ours with { Keywords = lntf, HubWeight = 0, TopK = 3 }),
            Ours("ln-tf-idf1-top3", ours with { Keywords = lntf with { IdfPower = 1 }, HubWeight = 0, TopK = 3 }),
            Ours("stems-ln-tf-idf1-top3", ours with { Keywords = lntf with { IdfPower = 1, Analysis = KeywordAnalysis.Stems }, HubWeight = 0, TopK = 3 }),
            Ours("ln-tf-idf1-top3-pool-stats", ours with { Keywords = lntf with { IdfPower = 1 }, HubWeight = 0, TopK = 3 }, pool: true),
            Ours("ours+0.1emb", ours with { EmbeddingWeight = 0.1 }),
            Ours("ours+0.25emb", ours with { EmbeddingWeight = 0.25 }),
        };
        var chosen = names.Count == 0 ? variants : variants.Where(v => names.Contains(v.Name)).ToList();
        var report = await RecommendEvaluation.RunAsync(store, Embedder, new RecommendEvalOptions(split, 31, members, seed), chosen, Console.Error.WriteLine, CancellationToken.None);
        var svm = report.Systems.FirstOrDefault(s => s.Name == "tfidf-svm");
        Console.WriteLine($"{report.Members} members, seed {seed}, {report.Candidates:N0} candidates");
        Console.WriteLine($"{"variant",-30} {"nDCG@10",8} {"recall@50",10} {"MRR",8} {"vs svm",7} {"prep s",7} {"rank s",7}");
        foreach (var s in report.Systems)
            Console.WriteLine($"{s.Name,-30} {s.NdcgAt10,8:F4} {s.RecallAt50,10:F4} {s.Mrr,8:F4} {(svm is null ? 0 : s.NdcgAt10 / svm.NdcgAt10),7:F2} {s.Prepare.TotalSeconds,7:F1} {s.Rank.TotalSeconds,7:F1}");
        return 0;
    }
}
