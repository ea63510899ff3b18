using System.Collections.Frozen;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Paperboy.Hosting;

namespace Paperboy.Web.Community;

/// <summary>
/// What one member or one client address may do per window: sign-in emails (per address and per client), submissions,
/// comments, votes, library writes and imports (per member). A refusal says when to come back (<c>Retry-After</c>).
/// The API and the pages' forms share these budgets, so switching between them gains nothing.
/// </summary>
public sealed class AbuseLimits : IDisposable
{
    public const string SignInEmail = "sign-in-email";
    public const string SignInClient = "sign-in-client";
    public const string Submit = "submit";
    public const string Comment = "comment";
    public const string Vote = "vote";
    public const string Library = "library";
    public const string Import = "import";

    private readonly FrozenDictionary<string, PartitionedRateLimiter<string>> _limiters;

    public AbuseLimits(IOptions<CommunityOptions> options)
    {
        var o = options.Value;
        _limiters = new Dictionary<string, PartitionedRateLimiter<string>>
        {
            [SignInEmail] = Sliding(o.SignInEmailsPerHour, TimeSpan.FromHours(1)),
            [SignInClient] = Sliding(o.SignInRequestsPerClientPerHour, TimeSpan.FromHours(1)),
            [Submit] = Sliding(o.SubmissionsPerHour, TimeSpan.FromHours(1)),
            [Comment] = Sliding(o.CommentsPerTenMinutes, TimeSpan.FromMinutes(10)),
            [Vote] = Sliding(o.VotesPerMinute, TimeSpan.FromMinutes(1)),
            [Library] = Sliding(o.LibraryWritesPerMinute, TimeSpan.FromMinutes(1)),
            [Import] = Sliding(o.ImportsPerHour, TimeSpan.FromHours(1)),
        }.ToFrozenDictionary();
    }

    private static PartitionedRateLimiter<string> Sliding(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));

    /// <summary>Takes one permit of <paramref name="kind"/> for <paramref name="key"/>; when refused, how long to wait.</summary>
    public bool TryAcquire(string kind, string key, out TimeSpan retryAfter)
    {
        using var lease = _limiters[kind].AttemptAcquire(key);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        return lease.IsAcquired;
    }

    /// <summary>The client's address as a key (the proxy's view, until forwarded headers are configured).</summary>
    public static string Client(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "local";

    /// <summary>Sets Retry-After in whole seconds (at least one) and returns them: the pages' forms and the API share it.</summary>
    public static int SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return seconds;
    }

    /// <summary>A 429 problem with Retry-After in whole seconds.</summary>
    public static IResult TooMany(HttpContext http, TimeSpan retryAfter, string what)
    {
        var seconds = SetRetryAfter(http.Response, retryAfter);
        return Results.Problem(statusCode: 429, title: "Too many requests", detail: $"{what}; try again in {Display.Duration(TimeSpan.FromSeconds(seconds))}.");
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
            limiter.Dispose();
    }
}
