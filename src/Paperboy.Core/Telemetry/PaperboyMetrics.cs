using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Paperboy.Core.Telemetry;

/// <summary>
/// Paperboy's own instruments, in the BCL's metrics and tracing types (the core takes no OpenTelemetry dependency;
/// <c>serve</c> exports them with ASP.NET Core's, HttpClient's and Npgsql's). Prometheus names them with dots as
/// underscores and a unit suffix: <c>paperboy_job_runs_total</c>, <c>paperboy_search_duration_seconds</c>.
/// </summary>
public static class PaperboyMetrics
{
    public const string Name = "Paperboy";

    private static readonly Meter Meter = new(Name);

    /// <summary>Traces of Paperboy's own work (searches, job runs).</summary>
    public static readonly ActivitySource Tracing = new(Name);

    public static readonly Counter<long> PapersIngested = Meter.CreateCounter<long>(
        "paperboy.papers.ingested", "{paper}", "Papers added or changed by import, ingestion and submissions");

    public static readonly Counter<long> EmbeddingsMade = Meter.CreateCounter<long>(
        "paperboy.embeddings.made", "{paper}", "Papers embedded by this node");

    public static readonly Histogram<double> SearchDuration = Meter.CreateHistogram<double>(
        "paperboy.search.duration", "s", "Time to answer a search, by mode");

    public static readonly Counter<long> MailsSent = Meter.CreateCounter<long>(
        "paperboy.mail.sent", "{message}", "Messages the SMTP server accepted (or written as .eml), by kind");

    public static readonly Counter<long> MailsFailed = Meter.CreateCounter<long>(
        "paperboy.mail.failed", "{message}", "Messages given up on (a permanent refusal or too many tries), by kind");

    public static readonly Counter<long> JobRuns = Meter.CreateCounter<long>(
        "paperboy.job.runs", "{run}", "Runs of background jobs on this node, by job and outcome (ok, failed, skipped: another node holds the lease)");

    /// <summary>Counts one run of <paramref name="job"/> with its outcome.</summary>
    public static void JobRan(string job, string outcome) =>
        JobRuns.Add(1, new KeyValuePair<string, object?>("job", job), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Gauges whose values someone else reads (outbox depth, lease holders): registered once by the host.</summary>
    public static void Observe(string name, string unit, string description, Func<IEnumerable<Measurement<long>>> read) =>
        Meter.CreateObservableGauge(name, read, unit, description);
}
