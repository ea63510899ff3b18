using Paperboy.Core.Import;

namespace Paperboy.Core.Ingest;

/// <summary>What an ingestion run did: records fetched from arXiv and what storing them changed.</summary>
public sealed class IngestSummary
{
    public long Fetched { get; set; }
    public long Deleted { get; set; }
    public int Requests { get; set; }
    public ImportCounts Counts { get; } = new();
    public List<string> Problems { get; } = [];

    public void Add(IngestSummary other)
    {
        Fetched += other.Fetched;
        Deleted += other.Deleted;
        Requests += other.Requests;
        Counts.Add(other.Counts);
        Problems.AddRange(other.Problems);
    }

    public override string ToString() =>
        $"fetched {Fetched:N0}, added {Counts.Added:N0}, updated {Counts.Updated:N0}, unchanged {Counts.Unchanged:N0}, rejected {Counts.Rejected:N0}, deleted {Deleted:N0}";
}

/// <summary>Lines for the operator while a job runs.</summary>
public interface IIngestProgress
{
    void Report(string line);

    void Problem(string message);
}

public sealed class SilentProgress : IIngestProgress
{
    public static readonly SilentProgress Instance = new();

    public void Report(string line)
    {
    }

    public void Problem(string message)
    {
    }
}
