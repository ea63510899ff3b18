using System.CommandLine;
using System.Globalization;
using Paperboy.Core.Papers;
using Paperboy.Core.Recommend.Evaluation;
using Paperboy.Core.Search;
using Paperboy.Core.Search.Evaluation;
using Paperboy.Hosting;

namespace Paperboy.Cli;

/// <summary><c>paperboy eval scifact --mode M</c>: nDCG@10 and recall@100 of the product's search on SciFact.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var mode = new Option<string>("--mode") { Description = "keyword, semantic or hybrid", DefaultValueFactory = _ => "hybrid" };
        mode.AcceptOnlyFromAmong("keyword", "semantic", "hybrid");
        var folder = new Option<string>("--path") { Description = "The SciFact folder (BEIR layout)", DefaultValueFactory = _ => "../shared/data/scifact" };
        var qrels = new Option<string>("--qrels") { Description = "Judgements, relative to --path or absolute", DefaultValueFactory = _ => "qrels/train.tsv" };
        var scifact = new Command("scifact", "Index SciFact into a throwaway store (under DATA/eval/scifact, embeddings kept for the next run) and score search on it")
        {
            mode, folder, qrels,
        };
        scifact.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var data = SciFact.Load(parse.GetValue(folder)!, parse.GetValue(qrels)!);
            var searchMode = Enum.Parse<SearchMode>(parse.GetValue(mode)!, ignoreCase: true);
            var evalDir = Path.Combine(parse.GetValue(PaperboyCli.Data)!, "eval", "scifact");
            var config = PaperboyConfiguration.Build(null);
            var options = config.GetSection(SearchOptions.Section).Get<SearchOptions>() ?? new SearchOptions();
            await using var store = Storage.Sqlite.SqliteStorage.Open(evalDir);
            await store.MigrateAsync(ct);
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
            using var engine = new SearchEngine(store, options, evalDir, loggers.CreateLogger<SearchEngine>());
            var result = await CliHost.WithProgressAsync($"SciFact, {searchMode}", p => Evaluator.RunAsync(data, store, engine, searchMode, p.Report, ct));
            Console.WriteLine($"SciFact {Path.GetFileName(parse.GetValue(qrels))} ({result.Queries:N0} queries, {data.Corpus.Count:N0} documents), mode {searchMode.ToString().ToLowerInvariant()}: " +
                $"nDCG@10 {result.NdcgAt10:F4}, recall@100 {result.RecallAt100:F4} ({result.SearchTime.TotalMilliseconds / Math.Max(1, result.Queries):N1} ms per query; embedded {result.Embedded:N0} documents this run)");
            return 0;
        }));
        var cmd = new Command("eval", "Measure search and recommendation quality offline");
        cmd.Subcommands.Add(scifact);
        cmd.Subcommands.Add(Recommend());
        return cmd;
    }

    /// <summary><c>paperboy eval recommend --split DAY</c>: ours against three baselines, with simulated members (see README).</summary>
    private static Command Recommend()
    {
        var split = new Option<string>("--split") { Description = "The first day of the window (yyyy-MM-dd): members are known by their papers before it", Required = true };
        var days = new Option<int>("--days") { Description = "Days in the window, whose papers are the candidates", DefaultValueFactory = _ => 31 };
        var members = new Option<int>("--members") { Description = "Members to simulate, drawn among the qualifying authors", DefaultValueFactory = _ => 500 };
        var seed = new Option<int>("--seed") { Description = "Which members are drawn (and the random baseline's order)", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the scores as JSON (the phases' times go to stderr)" };
        var cmd = new Command("recommend", "Rank a window's new papers for simulated members (authors, known by their earlier papers) and score ours and three baselines against the members' own papers in the window")
        {
            split, days, members, seed, json,
        };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var splitText = parse.GetValue(split)!;
            if (!DateOnly.TryParseExact(splitText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var splitDay))
                throw new ArgumentException($"--split: '{splitText}' is not a day (yyyy-MM-dd)");
            if (parse.GetValue(days) < 1)
                throw new ArgumentException("--days: at least 1");
            if (parse.GetValue(members) < 1)
                throw new ArgumentException("--members: at least 1");
            var options = new RecommendEvalOptions(splitDay, parse.GetValue(days), parse.GetValue(members), parse.GetValue(seed));
            await using var host = await CliHost.StartAsync(parse, ct);
            var indexes = host.Get<SearchEngine>().Indexes;
            ITextEmbedder Embedder() => indexes.Embedder
                ?? throw new InvalidOperationException("eval recommend needs the embedding model, and semantic search is off: " + indexes.SemanticStatus);
            var asJson = parse.GetValue(json);
            var report = await CliHost.WithProgressAsync("Recommendations", p => RecommendEvaluation.RunAsync(host.Get<IPaperStore>(), Embedder, options,
                RecommendEvaluation.StandardSystems(options.Seed), asJson ? null : p.Report, ct));
            var phases = string.Join(", ", report.Phases.Select(p => $"{p.Phase} {p.Time.TotalSeconds:N1} s"));
            var summary = $"{report.Members:N0} members of {report.Qualifying:N0} qualifying, {report.Candidates:N0} candidates " +
                $"({options.Split:yyyy-MM-dd}..{options.Until.AddDays(-1):yyyy-MM-dd}), {report.Positives:N0} positives, seed {options.Seed}; times: {phases}";
            if (asJson)
            {
                Console.Error.WriteLine(summary);
                Console.WriteLine(RecommendEvalJson.Write(report));
                return 0;
            }
            Console.WriteLine(summary);
            var ours = report.Systems.FirstOrDefault(s => s.Name == "ours");
            var svm = report.Systems.FirstOrDefault(s => s.Name == "tfidf-svm");
            Console.WriteLine($"{"system",-16} {"nDCG@10",8} {"recall@50",10} {"MRR",8} {"seconds",8}");
            foreach (var s in report.Systems)
                Console.WriteLine($"{s.Name,-16} {s.NdcgAt10,8:F4} {s.RecallAt50,10:F4} {s.Mrr,8:F4} {(s.Prepare + s.Rank).TotalSeconds,8:F1}");
            if (ours is not null && svm is not null && svm.NdcgAt10 > 0)
                Console.WriteLine($"ours / tfidf-svm nDCG@10: {ours.NdcgAt10 / svm.NdcgAt10:F2}x");
            return 0;
        }));
        return cmd;
    }
}
