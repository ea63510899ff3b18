using Microsoft.Extensions.Options;
using Paperboy.Core.Search;

namespace Paperboy.Hosting;

/// <summary>
/// Keeps serve's search indexes up with the database: new and changed papers are in the keyword index within one
/// poll interval, and embedded (searchable by meaning) as fast as the model goes. The same code as `paperboy index`.
/// </summary>
public sealed class SearchIndexer(SearchEngine engine, IOptions<SearchOptions> options, ILogger<SearchIndexer> log) : BackgroundService
{
    /// <summary>Recent vectors are searched exactly; past this many, they are folded into a new HNSW snapshot.</summary>
    private const int SnapshotAfter = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                // Small embedding slices, so new papers reach the keyword index promptly during a long backlog.
                var result = await engine.Upkeep.CatchUpAsync(null, stoppingToken, maxEmbed: 256);
                busy = result.Embedded >= 256;
                if (result.Indexed + result.Embedded > 0)
                    log.LogInformation("Search: indexed {Indexed} and embedded {Embedded} papers", result.Indexed, result.Embedded);
                if (!busy)
                    await engine.Upkeep.SaveSnapshotIfLargeAsync(SnapshotAfter, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or System.Data.Common.DbException or InvalidOperationException)
            {
                log.LogWarning("Search indexing failed; trying again: {Message}", ex.Message);
            }
            if (!busy)
                await Task.Delay(options.Value.IndexPollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
