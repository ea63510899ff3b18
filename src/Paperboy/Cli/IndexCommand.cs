using System.CommandLine;
using System.Diagnostics;
using Paperboy.Core.Search;

namespace Paperboy.Cli;

/// <summary><c>paperboy index [--rebuild]</c>: what serve's indexer does, until caught up, with progress.</summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var rebuild = new Option<bool>("--rebuild") { Description = "Drop the keyword and vector indexes and build them again from the database (stored embeddings are reused)" };
        var cmd = new Command("index", "Bring the search indexes up to the database: keyword index, embeddings of new papers, vector index") { rebuild };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct);
            var engine = host.Get<SearchEngine>();
            var sw = Stopwatch.StartNew();
            SearchIndexUpkeep.CatchUpResult result = new(0, 0);
            await CliHost.WithProgressAsync("Indexing", async p =>
            {
                if (parse.GetValue(rebuild))
                {
                    result = await engine.Upkeep.RebuildAsync(p.Report, ct); // saves the new snapshot itself
                }
                else
                {
                    result = await engine.Upkeep.CatchUpAsync(p.Report, ct);
                    await engine.Upkeep.SaveSnapshotAsync(ct);
                }
                return 0;
            });
            Console.WriteLine($"Indexed {result.Indexed:N0} and embedded {result.Embedded:N0} papers in {sw.Elapsed.TotalSeconds:N1} s; " +
                $"{engine.FullText.Count:N0} papers in the keyword index" + (engine.SemanticStatus is { } off ? $"; semantic search is off ({off})" : ""));
            return 0;
        }));
        return cmd;
    }
}
