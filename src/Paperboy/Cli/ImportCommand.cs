using System.CommandLine;
using Paperboy.Core.Papers;
using System.Globalization;
using Paperboy.Core.Import;
using Spectre.Console;

namespace Paperboy.Cli;

internal static class ImportCommand
{
    /// <summary>Exit code when the import finished but some records were rejected.</summary>
    public const int SomeRejected = 3;

    public static Command Create()
    {
        var paths = new Argument<string[]>("path") { Description = "Files or folders (a folder means every file in it); plain or .gz", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string?>("--format") { Description = "listings | kaggle | hf-daily | title-abstract (default: detected per file)" };
        format.AcceptOnlyFromAmong("listings", "kaggle", "hf-daily", "title-abstract");
        var day = new Option<string?>("--day") { Description = "Listing day (yyyy-MM-dd) for records that carry none (title-abstract); default: the file's date" };
        var batch = new Option<int>("--batch-size") { Description = "Records per transaction", DefaultValueFactory = _ => 2_000 };
        var cmd = new Command("import", "Import paper metadata from files: arXiv listings, the Kaggle/Cornell snapshot, Hugging Face daily_papers, {title, abstract} lines")
        {
            paths, format, day, batch,
        };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            DateOnly? listingDay = null;
            if (parse.GetValue(day) is { } d)
            {
                listingDay = Days.TryParse(d, out var parsed)
                    ? parsed
                    : throw new ArgumentException($"--day '{d}' is not a date (yyyy-MM-dd)");
            }
            var options = new ImportOptions(ParseFormat(parse.GetValue(format)), listingDay, Math.Clamp(parse.GetValue(batch), 1, 100_000));
            var files = Importer.ExpandPaths(parse.GetValue(paths) ?? [], out var skipped);
            foreach (var file in skipped)
                Console.Error.WriteLine($"{file}: not a record file (a manifest or notes); skipped");
            await using var host = await CliHost.StartAsync(parse, ct);
            var importer = new Importer(host.Get<Core.Papers.IPaperStore>());

            ImportSummary summary;
            if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            {
                summary = await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var total = files.Sum(f => new FileInfo(f).Length);
                        var task = ctx.AddTask("Importing", maxValue: Math.Max(1, total));
                        return await importer.ImportAsync(files, options, new BarProgress(task), ct);
                    });
            }
            else
            {
                summary = await importer.ImportAsync(files, options, new LineProgress(), ct);
            }

            var c = summary.Counts;
            var rate = c.Read / Math.Max(0.001, summary.Elapsed.TotalSeconds);
            Console.WriteLine(
                $"Imported {summary.Files:N0} file(s) in {summary.Elapsed.TotalSeconds:N1} s ({rate:N0} records/s): " +
                $"added {c.Added:N0}, updated {c.Updated:N0}, unchanged {c.Unchanged:N0}, rejected {c.Rejected:N0}; new listings (a paper on a day) {c.NewListings:N0}" +
                (c.RepeatDays > 0 ? $"; {c.RepeatDays:N0} file(s) repeated the previous announcement day (weekends) and made no day of their own" : ""));
            return c.Rejected > 0 ? SomeRejected : 0;
        }));
        return cmd;
    }

    private static ImportFormat? ParseFormat(string? name) => name switch
    {
        null => null,
        "listings" => ImportFormat.Listings,
        "kaggle" => ImportFormat.Kaggle,
        "hf-daily" => ImportFormat.HfDaily,
        _ => ImportFormat.TitleAbstract,
    };

    private sealed class BarProgress(ProgressTask task) : IImportProgress
    {
        private double _done;
        private long _fileStart;

        public void FileStarted(string path, long length)
        {
            _fileStart = (long)_done;
            task.Description = Markup.Escape(Path.GetFileName(path));
        }

        public void Advanced(long position) => task.Value = _fileStart + position;

        public void FileFinished(string path, ImportCounts counts) => _done = task.Value;

        public void Problem(string message) => Console.Error.WriteLine(message);

        public void Note(string message) => Console.Error.WriteLine(message);
    }

    private sealed class LineProgress : IImportProgress
    {
        public void FileStarted(string path, long length)
        {
        }

        public void Advanced(long position)
        {
        }

        public void FileFinished(string path, ImportCounts c) =>
            Console.WriteLine($"{Path.GetFileName(path)}: {c.Read:N0} read, {c.Added:N0} added, {c.Updated:N0} updated, {c.Unchanged:N0} unchanged, {c.Rejected:N0} rejected");

        public void Problem(string message) => Console.Error.WriteLine(message);

        public void Note(string message) => Console.WriteLine(message);
    }
}
