using System.Threading.Channels;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Import;

/// <summary>What an import tells its operator as it goes (a progress bar on a terminal, plain lines otherwise).</summary>
public interface IImportProgress
{
    void FileStarted(string path, long length);
    void Advanced(long position);
    void FileFinished(string path, ImportCounts counts);
    void Problem(string message);

    /// <summary>Something the operator should know that is not a problem with a record.</summary>
    void Note(string message) { }
}

public sealed record ImportOptions(ImportFormat? Format = null, DateOnly? Day = null, int BatchSize = 2_000);

public sealed record ImportSummary(ImportCounts Counts, int Files, IReadOnlyList<string> Problems, TimeSpan Elapsed);

/// <summary>
/// Streams files into the store in batches of one transaction each. A batch is all or nothing and every record
/// is idempotent, so an import killed at any point is completed by running it again.
/// </summary>
public sealed class Importer(IPaperStore store)
{
    /// <summary>More problems than this are counted but not kept in the summary.</summary>
    private const int MaxProblemsKept = 1_000;

    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths) => ExpandPaths(paths, out _);

    /// <summary>The files to import; <paramref name="skipped"/>: files in the given folders that are not records (manifests, notes).</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths, out IReadOnlyList<string> skipped)
    {
        var files = new List<string>();
        var notRecords = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                // Name order is date order for listing files; dot-files and manifests are not records.
                foreach (var f in Directory.EnumerateFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
                {
                    if (f.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
                        notRecords.Add(f);
                    else
                        files.Add(f);
                }
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or folder", path);
            }
        }
        skipped = notRecords;
        return files;
    }

    public async Task<ImportSummary> ImportAsync(IReadOnlyList<string> files, ImportOptions options, IImportProgress progress, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var total = new ImportCounts();
        var problems = new List<string>();

        // Reading (decompressing, parsing, fingerprinting) runs a few batches ahead of writing, on another thread: on
        // a server database the next batch is parsed during this one's round trip. Writing, and everything the
        // operator sees, stays in file order.
        var steps = Channel.CreateBounded<Step>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(() => ReadAsync(files, options, steps.Writer, stop.Token), CancellationToken.None);
        try
        {
            var counts = new ImportCounts();
            var written = false;
            await foreach (var step in steps.Reader.ReadAllAsync(ct))
            {
                switch (step)
                {
                    case FileStarted s:
                        progress.FileStarted(s.Path, s.Length);
                        break;
                    case Problem p:
                        if (p.Rejects)
                            counts.Rejected++;
                        if (problems.Count < MaxProblemsKept)
                            problems.Add(p.Message);
                        progress.Problem(p.Message);
                        break;
                    case Records r:
                        written = true;
                        counts.Add(await ImportBatchWriter.WriteAsync(store, r.Batch, ct));
                        progress.Advanced(r.Position);
                        break;
                    case FileEnded e:
                        if (e.Batch is { } batch)
                        {
                            if (!written && await RepeatedAnnouncementAsync(batch, ct) is { } announced)
                            {
                                // Listed on the day they were announced, which they already are: no new day, nothing else changes.
                                for (var i = 0; i < batch.Count; i++)
                                    batch[i] = batch[i] with { ListingDay = announced };
                                counts.RepeatDays++;
                                progress.Note($"{e.Name}: every paper in it was announced on {announced:yyyy-MM-dd} already (arXiv announces nothing on weekends and holidays); not a new listing day");
                            }
                            counts.Add(await ImportBatchWriter.WriteAsync(store, batch, ct));
                            progress.Advanced(e.Length);
                        }
                        total.Add(counts);
                        progress.FileFinished(e.Path, counts);
                        counts = new ImportCounts();
                        written = false;
                        break;
                }
            }
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
        finally
        {
            try
            {
                await reading;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped because writing failed or was cancelled: that error is the one to tell.
            }
        }
        return new ImportSummary(total, files.Count, problems, started.Elapsed);
    }

    /// <summary>What the reader hands the writer, in file order.</summary>
    private abstract record Step;

    private sealed record FileStarted(string Path, long Length) : Step;

    /// <summary>A problem to report; <paramref name="Rejects"/>: it cost a record.</summary>
    private sealed record Problem(string Message, bool Rejects) : Step;

    /// <summary>A full batch from the middle of a file, read up to <paramref name="Position"/>.</summary>
    private sealed record Records(List<IncomingPaper> Batch, long Position) : Step;

    /// <summary>The end of a file with its last batch (perhaps empty); no batch when the file could not be opened.</summary>
    private sealed record FileEnded(string Path, string Name, List<IncomingPaper>? Batch, long Length) : Step;

    private static async Task ReadAsync(IReadOnlyList<string> files, ImportOptions options, ChannelWriter<Step> steps, CancellationToken ct)
    {
        try
        {
            foreach (var path in files)
            {
                ct.ThrowIfCancellationRequested();
                await ReadFileAsync(path, options, steps, ct);
            }
            steps.Complete();
        }
        catch (Exception ex)
        {
            steps.Complete(ex);
            throw;
        }
    }

    private static async Task ReadFileAsync(string path, ImportOptions options, ChannelWriter<Step> steps, CancellationToken ct)
    {
        SourceFile file;
        try
        {
            file = SourceFile.Open(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await steps.WriteAsync(new Problem($"{path}: cannot open: {ex.Message}", Rejects: false), ct);
            await steps.WriteAsync(new FileEnded(path, Path.GetFileName(path), null, 0), ct);
            return;
        }

        using (file)
        {
            await steps.WriteAsync(new FileStarted(path, file.Length), ct);
            var day = options.Day ?? DateOnly.FromDateTime(File.GetLastWriteTimeUtc(path));
            var batch = new List<IncomingPaper>(options.BatchSize);
            using var items = RecordReader.Read(file, options.Format, day).GetEnumerator();
            var lastGoodLocation = "the start";
            while (true)
            {
                ImportItem item;
                try
                {
                    if (!items.MoveNext())
                        break;
                    item = items.Current;
                }
                catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException or ImportFileException or System.Text.DecoderFallbackException)
                {
                    // A truncated or corrupt file: keep what was read, name where it broke off.
                    var what = ex is ImportFileException ? ex.Message : $"{file.Name}: unreadable after {lastGoodLocation} ({ex.Message}); the records before it were imported";
                    await steps.WriteAsync(new Problem(what, Rejects: true), ct);
                    break;
                }

                lastGoodLocation = item.Location;
                if (item.Paper is null)
                {
                    await steps.WriteAsync(new Problem($"{item.Location}: {item.Error}; skipped", Rejects: true), ct);
                    continue;
                }
                // The fingerprint is part of the reading work: done here, the writer finds it made.
                _ = item.Paper.Hash;
                batch.Add(item.Paper);
                if (batch.Count >= options.BatchSize)
                {
                    await steps.WriteAsync(new Records(batch, file.Position), ct);
                    batch = new List<IncomingPaper>(options.BatchSize);
                }
            }
            await steps.WriteAsync(new FileEnded(path, file.Name, batch, file.Length), ct);
        }
    }

    /// <summary>
    /// The day these papers were announced, when the whole file is a repeat of the previous announcement: arXiv's
    /// listings have files for Saturdays and Sundays that list Friday's papers again. Null for a day of its own.
    /// </summary>
    private async Task<DateOnly?> RepeatedAnnouncementAsync(List<IncomingPaper> batch, CancellationToken ct)
    {
        if (batch.Count == 0 || batch[0].ListingDay is not { } day || batch.Exists(p => p.ListingDay != day))
            return null;
        var (previous, _) = await store.GetNeighbourDaysAsync(ListingPeriod.Day(day), ct);
        if (previous is not { } before)
            return null;
        // Cheap first: a day of its own starts with a paper that was not listed the day before (most files stop here).
        if (await store.GetPaperAsync(batch[0].Id, ct) is not { } first || !first.ListingDays.Contains(before))
            return null;
        var listed = await store.GetListingAsync(new ListingQuery(ListingPeriod.Day(before), null, ListingSort.Published, 0, batch.Count + 1), ct);
        if (listed.Total != batch.Select(p => p.Id).Distinct(StringComparer.Ordinal).Count())
            return null;
        var ids = listed.Items.Select(i => i.Paper.Id).ToHashSet(StringComparer.Ordinal);
        return batch.TrueForAll(p => ids.Contains(p.Id)) ? before : null;
    }
}
