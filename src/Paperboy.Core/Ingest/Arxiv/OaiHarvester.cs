using System.Text.Json;
using Paperboy.Core.Import;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Ingest.Arxiv;

/// <summary>Where a harvest of one set stands; saved in the same transaction as each page's records.</summary>
public sealed record HarvestState(
    string Set,
    string MetadataPrefix,
    DateOnly? From,
    DateOnly? Until,
    string? ResumptionToken,
    int NextPage,
    DateOnly? LastDatestamp,
    long RecordsThisHarvest,
    DateTimeOffset? CompletedAt);

/// <summary>
/// Incremental OAI-PMH harvesting of one set. Each page's records, deletions and the cursor that points past them
/// commit together, so a harvest stopped anywhere (kill -9, a network failure, a bad page) resumes at the first page
/// not stored: nothing is lost, and a page fetched twice changes nothing the second time.
/// </summary>
public sealed class OaiHarvester(ArxivClient client, IPaperStore store, TimeProvider clock)
{
    public static string StateKey(string set, string prefix) => $"oai:{prefix}:{set}";

    public async Task<HarvestState?> GetStateAsync(string set, string prefix, CancellationToken ct) =>
        await store.GetStateAsync(StateKey(set, prefix), ct) is { } json ? JsonSerializer.Deserialize<HarvestState>(json) : null;

    /// <param name="from">Start here; null continues from the last datestamp harvested (or resumes an interrupted harvest).</param>
    public async Task<IngestSummary> HarvestAsync(string set, DateOnly? from, DateOnly? until, string metadataPrefix, IIngestProgress progress, CancellationToken ct)
    {
        if (metadataPrefix is not ("arXiv" or "arXivRaw"))
            throw new ArgumentException($"metadata format '{metadataPrefix}': use arXiv or arXivRaw", nameof(metadataPrefix));
        var key = StateKey(set, metadataPrefix);
        var saved = await GetStateAsync(set, metadataPrefix, ct);
        var summary = new IngestSummary();

        HarvestState state;
        if (saved is { ResumptionToken: not null } && (from is null || from == saved.From) && (until is null || until == saved.Until))
        {
            state = saved;
            progress.Report($"resuming the harvest of {set} from {saved.From:yyyy-MM-dd} at page {saved.NextPage}");
        }
        else
        {
            // Datestamps are days: start again at the last one seen (records of that day may have come later).
            var start = from ?? saved?.LastDatestamp ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1);
            state = new HarvestState(set, metadataPrefix, start, until, null, 1, saved?.LastDatestamp, 0, null);
        }

        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var where = $"OAI-PMH set {set}, page {state.NextPage}" + (state.ResumptionToken is { } t ? $" (resumptionToken {t})" : $" (from {state.From:yyyy-MM-dd})");
            OaiPage page;
            try
            {
                summary.Requests++;
                page = await client.ListRecordsAsync(metadataPrefix, set, state.From, state.Until, state.ResumptionToken, where, ct);
            }
            catch (OaiPmhException ex) when (ex.Code == "badResumptionToken" && state.ResumptionToken is not null)
            {
                // Tokens expire; the records are idempotent, so start the same harvest over.
                progress.Problem($"{where}: the resumption token expired; starting again from {state.From:yyyy-MM-dd}");
                state = state with { ResumptionToken = null, NextPage = 1 };
                continue;
            }

            var batch = new List<IncomingPaper>(page.Records.Count);
            var deleted = new List<string>();
            DateOnly? newest = null;
            foreach (var r in page.Records)
            {
                newest = newest is null || r.Datestamp > newest ? r.Datestamp : newest;
                if (r.Deleted)
                {
                    deleted.Add(r.Id);
                    continue;
                }
                if (RecordLimits.Check(r.Paper!) is { } problem)
                {
                    summary.Counts.Rejected++;
                    summary.Problems.Add($"{where}: {r.Id}: {problem}; skipped");
                    progress.Problem(summary.Problems[^1]);
                    continue;
                }
                batch.Add(r.Paper!);
            }
            summary.Fetched += page.Records.Count;

            var last = PaperMerger.Max(state.LastDatestamp, newest);
            var next = page.ResumptionToken is { } token
                ? state with { ResumptionToken = token, NextPage = state.NextPage + 1, LastDatestamp = last, RecordsThisHarvest = state.RecordsThisHarvest + page.Records.Count }
                : state with { ResumptionToken = null, NextPage = 1, LastDatestamp = last ?? state.From, RecordsThisHarvest = state.RecordsThisHarvest + page.Records.Count, CompletedAt = clock.GetUtcNow() };

            await using (var unit = await store.BeginImportAsync(ct))
            {
                summary.Counts.Add(await ImportBatchWriter.ApplyAsync(unit, batch, ct));
                foreach (var id in deleted)
                {
                    if (await unit.MarkDeletedAsync(id, ct))
                        summary.Deleted++;
                }
                await unit.SetStateAsync(key, JsonSerializer.Serialize(next), ct);
                await unit.CommitAsync(ct);
            }
            state = next;
            progress.Report($"{where}: {page.Records.Count:N0} records" + (page.CompleteListSize is { } size ? $" ({state.RecordsThisHarvest:N0} of {size:N0})" : ""));
            if (page.ResumptionToken is null)
                return summary;
        }
    }
}
