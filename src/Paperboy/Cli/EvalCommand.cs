using System.CommandLine;
using Paperboy.Core.Papers;
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
        var cmd = new Command("eval", "Measure search quality on a relevance benchmark");
        cmd.Subcommands.Add(scifact);
        return cmd;
    }
}
