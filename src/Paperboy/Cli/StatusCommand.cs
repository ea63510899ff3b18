using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Paperboy.Cli;

internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print as JSON" };
        var cmd = new Command("status", "Counts of papers, listing days and embedded papers, the newest day, the database provider and size, the last ingestion") { json };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct);
            var store = host.Get<Core.Papers.IPaperStore>();
            var s = await store.GetStatusAsync(ct);
            var run = await host.Get<Core.Ingest.DailyIngestJob>().GetLastRunAsync(ct);
            var options = host.Get<Core.Ingest.Arxiv.ArxivOptions>();
            var search = host.Get<Microsoft.Extensions.Options.IOptions<Core.Search.SearchOptions>>().Value;
            // The model in use is the configured precision's; a vector from another model is replaced when its paper is embedded again.
            var inUse = Core.Search.Embeddings.MiniLmEmbedder.ModelIdPrefix(search.EmbeddingPrecision);
            bool InUse(Core.Papers.EmbeddedCount e) => e.Model.StartsWith(inUse, StringComparison.Ordinal);
            var harvest = string.IsNullOrWhiteSpace(options.Schedule.OaiSet) ? null
                : await host.Get<Core.Ingest.Arxiv.OaiHarvester>().GetStateAsync(options.Schedule.OaiSet, "arXivRaw", ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    provider = s.Provider,
                    papers = s.Papers,
                    listingDays = s.ListingDays,
                    newestListingDay = s.NewestListingDay,
                    oldestListingDay = s.OldestListingDay,
                    sizeBytes = s.SizeBytes,
                    location = s.Location,
                    semantic = new
                    {
                        enabled = search.Semantic,
                        embedded = s.Embedded.Select(e => new { model = e.Model, papers = e.Papers, inUse = InUse(e) }),
                    },
                    ingestion = new
                    {
                        scheduled = options.Schedule.Enabled,
                        lastRun = run?.LastStarted,
                        lastFinished = run?.LastFinished,
                        lastSuccess = run?.LastSuccess,
                        nextRun = run?.NextRun,
                        fetched = run?.Fetched,
                        added = run?.Added,
                        updated = run?.Updated,
                        rejected = run?.Rejected,
                        lastError = run?.LastError,
                        oaiSet = options.Schedule.OaiSet,
                        oaiLastDatestamp = harvest?.LastDatestamp,
                        oaiInterrupted = harvest?.ResumptionToken is not null,
                    },
                }, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var table = new Table().HideHeaders().AddColumn("").AddColumn("");
            table.AddRow("Papers", s.Papers.ToString("N0"));
            table.AddRow("Listing days", s.ListingDays.ToString("N0"));
            table.AddRow("Newest listing day", s.NewestListingDay?.ToString("yyyy-MM-dd") ?? "none yet");
            table.AddRow("Oldest listing day", s.OldestListingDay?.ToString("yyyy-MM-dd") ?? "none yet");
            table.AddRow("Database", $"{s.Provider} ({Markup.Escape(s.Location)})");
            table.AddRow("Size", s.SizeBytes is { } b ? $"{b / 1048576.0:N1} MiB" : "unknown");
            table.AddRow("Semantic search", !search.Semantic ? "off (Search:Semantic=false)"
                : s.Embedded.FirstOrDefault(InUse) is { } current
                    ? $"{current.Papers:N0} of {s.Papers:N0} papers embedded ({Markup.Escape(current.Model)})"
                    : $"0 of {s.Papers:N0} papers embedded with {Markup.Escape(inUse.TrimEnd('@'))} (`paperboy index` embeds them; so does `serve`, in the background)");
            foreach (var other in s.Embedded.Where(e => !InUse(e)))
                table.AddRow("", $"also {other.Papers:N0} vectors from {Markup.Escape(other.Model)}, not in use (each is replaced when its paper is embedded again)");
            table.AddRow("Last ingestion", run?.LastStarted is not { } started ? "never"
                : run.LastFinished is not { } finished || finished < started ? $"started {started:yyyy-MM-dd HH:mm} UTC, not finished (running, or interrupted)"
                : $"{started:yyyy-MM-dd HH:mm} UTC: fetched {run.Fetched:N0}, added {run.Added:N0}, updated {run.Updated:N0}, rejected {run.Rejected:N0}");
            table.AddRow("Next ingestion", !options.Schedule.Enabled ? "scheduling is off" : run?.NextRun is { } next ? $"{next:yyyy-MM-dd HH:mm} UTC (when serve runs)" : "when serve starts");
            if (run?.LastError is { } error)
                table.AddRow("Last error", "[red]" + Markup.Escape(error) + "[/]");
            if (harvest is not null)
                table.AddRow($"OAI-PMH {Markup.Escape(harvest.Set)}", harvest.ResumptionToken is not null
                    ? $"interrupted at page {harvest.NextPage} (resumes on the next run)"
                    : $"harvested up to {harvest.LastDatestamp:yyyy-MM-dd}");
            AnsiConsole.Write(table);
            return 0;
        }));
        return cmd;
    }
}
