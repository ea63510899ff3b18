using System.ComponentModel.DataAnnotations;

namespace Paperboy.Hosting;

/// <summary>Where the database lives. Bound from the <c>Storage</c> section, validated at start-up.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (default: a file in the data directory) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The PostgreSQL connection string (Npgsql syntax). Required for <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The folder holding the SQLite file and every derived index; <c>--data</c> sets it.</summary>
    public string DataDirectory { get; set; } = "./data";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider is not ("sqlite" or "postgres"))
            yield return new ValidationResult($"Storage:Provider is '{Provider}'; use 'sqlite' or 'postgres'", [nameof(Provider)]);
        if (Provider == "postgres" && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("Storage:Provider is 'postgres' but Storage:ConnectionString is empty", [nameof(ConnectionString)]);
        if (string.IsNullOrWhiteSpace(DataDirectory))
            yield return new ValidationResult("the data directory is empty", [nameof(DataDirectory)]);
    }
}

/// <summary>Web settings, bound from the <c>Web</c> section.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    [Range(5, 500)]
    public int PageSize { get; set; } = 50;

    /// <summary>How stale a cached listing page may be when another process (an import) writes.</summary>
    [Range(0, 60)]
    public double ChangePollSeconds { get; set; } = 1;

    /// <summary>How long a submission request waits for arXiv before answering that the paper is being fetched.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 30)]
    public double SubmitWaitSeconds { get; set; } = 3;

    /// <summary>Papers one client may submit per <see cref="SubmitWindow"/> (web form and API together).</summary>
    [Range(1, 10_000)]
    public int SubmitsPerWindow { get; set; } = 10;

    public TimeSpan SubmitWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The site's address as readers reach it (links in mail); by default the first <c>--urls</c> address.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>If set, <c>/api/admin/*</c> also accepts <c>Authorization: Bearer {token}</c> from other hosts; loopback always may.</summary>
    public string? AdminToken { get; set; }
}

/// <summary>The community's rules, bound from the <c>Community</c> section.</summary>
public sealed class CommunityOptions
{
    public const string Section = "Community";

    /// <summary>A paper first announced longer ago than this cannot be put on the Daily (as on Hugging Face).</summary>
    [Range(0, 3650)]
    public int SubmitMaxAgeDays { get; set; } = 7;

    /// <summary>How long until a vote or comment counts half as much in the trending score.</summary>
    [Range(0.1, 10_000)]
    public double TrendingHalfLifeHours { get; set; } = 24;

    /// <summary>How many votes one comment is worth in the trending score.</summary>
    [Range(0, 100)]
    public double TrendingCommentWeight { get; set; } = 2;

    [Range(1, 100_000)]
    public int CommentMaxLength { get; set; } = 10_000;

    /// <summary>How long an emailed sign-in link works.</summary>
    [Range(1, 1440)]
    public int SignInLinkMinutes { get; set; } = 15;

    /// <summary>Sign-in emails per address per hour, and per client address per hour.</summary>
    public int SignInEmailsPerHour { get; set; } = 5;
    public int SignInRequestsPerClientPerHour { get; set; } = 30;

    /// <summary>Per member: submissions per hour, comments per ten minutes, votes per minute.</summary>
    public int SubmissionsPerHour { get; set; } = 20;
    public int CommentsPerTenMinutes { get; set; } = 10;
    public int VotesPerMinute { get; set; } = 120;

    /// <summary>Per member: library writes (saves, tags, marks, collections) per minute, and BibTeX imports per hour.</summary>
    public int LibraryWritesPerMinute { get; set; } = 120;
    public int ImportsPerHour { get; set; } = 20;

    /// <summary>The largest BibTeX file an import takes (5 MiB: some ten thousand entries).</summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int ImportMaxBytes { get; set; } = 5 * 1024 * 1024;
}
