using System.CommandLine;
using Paperboy.Core.Papers;
using System.Diagnostics;
using System.Globalization;
using Paperboy.Core.Ingest;
using Paperboy.Core.Ingest.Arxiv;

namespace Paperboy.Cli;

/// <summary><c>paperboy ingest oai|announcements|daily</c>: the jobs the scheduler in <c>serve</c> runs, by hand.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var cmd = new Command("ingest", "Fetch papers from arXiv (politely: one request every Arxiv:RequestInterval)");
        cmd.Subcommands.Add(Oai());
        cmd.Subcommands.Add(Announcements());
        cmd.Subcommands.Add(Daily());
        return cmd;
    }

    private static Command Oai()
    {
        var set = new Option<string>("--set") { Description = "OAI-PMH set, such as cs, math, physics:hep-th", Required = true };
        var from = new Option<string?>("--from") { Description = "First datestamp (yyyy-MM-dd); default: continue where the last harvest of this set stopped" };
        var until = new Option<string?>("--until") { Description = "Last datestamp (yyyy-MM-dd)" };
        var format = new Option<string>("--metadata") { Description = "arXivRaw (with version history) or arXiv", DefaultValueFactory = _ => "arXivRaw" };
        format.AcceptOnlyFromAmong("arXivRaw", "arXiv");
        var cmd = new Command("oai", "Harvest an OAI-PMH set incrementally; an interrupted harvest resumes where it stopped") { set, from, until, format };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var fromDay = Day(parse.GetValue(from), "--from");
            var untilDay = Day(parse.GetValue(until), "--until");
            await using var host = await CliHost.StartAsync(parse, ct);
            var setName = parse.GetValue(set)!;
            var sw = Stopwatch.StartNew();
            var summary = await CliHost.WithProgressAsync($"Harvesting {setName}",
                p => host.Get<OaiHarvester>().HarvestAsync(setName, fromDay, untilDay, parse.GetValue(format)!, p, ct));
            return Finish($"Harvested {setName}", summary, sw.Elapsed);
        }));
        return cmd;
    }

    private static Command Announcements()
    {
        var categories = new Option<string>("--categories") { Description = "Comma-separated categories, such as cs.LG,cs.CL", Required = true };
        var cmd = new Command("announcements", "Read today's announcement feed: new papers, cross-lists and replacements, listed on the announcement day") { categories };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var list = parse.GetValue(categories)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (list.Length == 0 || !list.All(Core.Papers.Categories.IsValid))
                throw new ArgumentException($"--categories '{parse.GetValue(categories)}': give arXiv categories such as cs.LG,cs.CL");
            await using var host = await CliHost.StartAsync(parse, ct);
            var sw = Stopwatch.StartNew();
            var summary = await CliHost.WithProgressAsync("Reading announcements", p => host.Get<AnnouncementIngester>().IngestAsync(list, p, ct));
            return Finish("Announcements", summary, sw.Elapsed);
        }));
        return cmd;
    }

    private static Command Daily()
    {
        var cmd = new Command("daily", "Run the daily job once, as serve's scheduler does: announcements for Arxiv:Schedule:Categories, then OAI-PMH for Arxiv:Schedule:OaiSet");
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct);
            // The same lease as serve's scheduler: never two daily runs at once, wherever they were started.
            await using var lease = await Core.Jobs.JobLease.TryTakeAsync(host.Get<Core.Jobs.IJobLeases>(), Hosting.IngestScheduler.LeaseName, TimeProvider.System, ct: ct);
            if (lease is null)
            {
                Console.WriteLine("another node is running the daily ingestion (it holds the lease); nothing done");
                return 0;
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, lease.Lost);
            var sw = Stopwatch.StartNew();
            var summary = await CliHost.WithProgressAsync("Daily ingestion", p => host.Get<DailyIngestJob>().RunAsync(p, stop.Token));
            return Finish("Daily ingestion", summary, sw.Elapsed);
        }));
        return cmd;
    }

    private static int Finish(string what, IngestSummary summary, TimeSpan elapsed)
    {
        Console.WriteLine($"{what}: {summary} in {elapsed.TotalSeconds:N1} s ({summary.Requests:N0} requests, {summary.Fetched / Math.Max(0.001, elapsed.TotalSeconds):N0} records/s)");
        return summary.Counts.Rejected > 0 ? ImportCommand.SomeRejected : 0;
    }

    internal static DateOnly? Day(string? text, string option)
    {
        if (text is null)
            return null;
        return Days.TryParse(text, out var d)
            ? d
            : throw new ArgumentException($"{option} '{text}' is not a date (yyyy-MM-dd)");
    }
}
