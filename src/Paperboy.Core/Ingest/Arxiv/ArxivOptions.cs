using System.ComponentModel.DataAnnotations;

namespace Paperboy.Core.Ingest.Arxiv;

/// <summary>How Paperboy talks to arXiv. Bound from the <c>Arxiv</c> section; validated at start-up.</summary>
public sealed class ArxivOptions : IValidatableObject
{
    public const string Section = "Arxiv";

    public Uri OaiUrl { get; set; } = new("https://oaipmh.arxiv.org/oai");
    public Uri QueryUrl { get; set; } = new("https://export.arxiv.org/api/query");
    /// <summary>Announcement feeds: <c>{FeedUrl}/cs.LG+cs.CL</c>.</summary>
    public Uri FeedUrl { get; set; } = new("https://rss.arxiv.org/atom");

    /// <summary>arXiv's terms: no more than one request every 3 seconds, across the whole process, retries included.</summary>
    public TimeSpan RequestInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Put in the User-Agent so arXiv can reach whoever runs this instance.</summary>
    public string ContactEmail { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>First wait after a failed request; doubles per retry (never below <see cref="RequestInterval"/>).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A Retry-After longer than this is not waited for: the run fails and the next one resumes.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The daily job in <c>serve</c>.</summary>
    public ScheduleOptions Schedule { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, url) in new[] { ("OaiUrl", OaiUrl), ("QueryUrl", QueryUrl), ("FeedUrl", FeedUrl) })
        {
            if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                yield return new ValidationResult($"Arxiv:{name} must be an absolute http(s) URL", [name]);
        }
        if (RequestInterval < TimeSpan.Zero)
            yield return new ValidationResult("Arxiv:RequestInterval cannot be negative", [nameof(RequestInterval)]);
        if (Timeout <= TimeSpan.Zero)
            yield return new ValidationResult("Arxiv:Timeout must be positive", [nameof(Timeout)]);
        if (ContactEmail.Length > 0 && (!ContactEmail.Contains('@', StringComparison.Ordinal) || ContactEmail.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            yield return new ValidationResult("Arxiv:ContactEmail is not an e-mail address", [nameof(ContactEmail)]);
        foreach (var c in Schedule.CategoryList)
        {
            if (!Papers.Categories.IsValid(c))
                yield return new ValidationResult($"Arxiv:Schedule:Categories: '{c}' is not an arXiv category", ["Schedule"]);
        }
    }
}

public sealed class ScheduleOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>arXiv announces at 20:00 US Eastern; the default runs a little after that in UTC.</summary>
    public TimeOnly AnnouncementTimeUtc { get; set; } = new(1, 30);

    /// <summary>Comma-separated, so one environment variable sets it: <c>PAPERBOY_Arxiv__Schedule__Categories=cs.LG,cs.CL</c>.</summary>
    public string Categories { get; set; } = "cs.LG,cs.CL,cs.CV,cs.AI";

    public IReadOnlyList<string> CategoryList => Categories.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The OAI-PMH set reconciled after the feeds (empty: no reconciliation).</summary>
    public string OaiSet { get; set; } = "cs";
}
