using Paperboy.Core.Accounts;
using Paperboy.Core.Digests;
using Paperboy.Core.Mail;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Web.Community;

namespace Paperboy.Web.Digests;

/// <summary>The subscription request as the API takes it (JSON) and the form fills it.</summary>
public sealed record SubscriptionRequest(
    string? Email, string? Frequency = null, int? Hour = null, string? TimeZone = null, bool? Trending = null, int? TrendingCount = null,
    IReadOnlyList<string>? Categories = null, IReadOnlyList<SavedSearch>? Searches = null, IReadOnlyList<string>? Authors = null, IReadOnlyList<string>? Papers = null);

/// <summary>
/// Subscribing, from the header's form or <c>POST /api/subscriptions</c>: the choices are checked (a saved search must
/// parse, a time zone must exist), stored as waiting, and a confirmation link is mailed (double opt-in) in the same
/// transaction. The answer is the same whether or not the address was subscribed already.
/// </summary>
public sealed class SubscriptionRequests(ISubscriptionStore store, SearchEngine search, OutboxSender sender, AbuseLimits limits, SiteUrl site, TimeProvider clock)
{
    public async Task<(SubscriptionChoices? Choices, string? Email, string? Problem)> ValidateAsync(SubscriptionRequest r, CancellationToken ct)
    {
        var email = Emails.Normalize(r.Email);
        if (email is null)
            return (null, null, $"email: '{TextNormalizer.Clip(r.Email ?? "")}' is not an email address");
        var choices = new SubscriptionChoices
        {
            Frequency = r.Frequency ?? "daily",
            Hour = r.Hour ?? 7,
            TimeZone = string.IsNullOrWhiteSpace(r.TimeZone) ? "UTC" : r.TimeZone.Trim(),
            Trending = r.Trending ?? (r.Categories is null && r.Searches is null && r.Authors is null && r.Papers is null),
            TrendingCount = r.TrendingCount ?? 10,
            Categories = Clean(r.Categories),
            Searches = (r.Searches ?? []).Where(s => !string.IsNullOrWhiteSpace(s.Q)).Select(s => s with { Q = s.Q.Trim(), Mode = string.IsNullOrWhiteSpace(s.Mode) ? "hybrid" : s.Mode }).ToList(),
            Authors = Clean(r.Authors),
            Papers = Clean(r.Papers).Select(p => ArxivId.TryParse(p, out var id, out _) ? id : p).ToList(),
        };
        string? problem = choices switch
        {
            { Frequency: not ("daily" or "weekly") } => $"frequency: '{TextNormalizer.Clip(choices.Frequency)}' must be daily or weekly",
            { Hour: < 0 or > 23 } => "hour: a whole hour from 0 to 23, in your time zone",
            { TrendingCount: < 1 or > 50 } => "trendingCount: from 1 to 50",
            _ when DigestSchedule.Zone(choices.TimeZone) is null => $"timeZone: '{TextNormalizer.Clip(choices.TimeZone)}' is not a time zone (use an IANA name such as Europe/Paris)",
            { Categories.Count: > 30 } or { Authors.Count: > 30 } or { Papers.Count: > 100 } or { Searches.Count: > 20 } => "too many choices: at most 30 categories, 30 authors, 20 searches and 100 papers",
            _ when choices.Categories.FirstOrDefault(c => !Categories.IsValid(c)) is { } bad => $"categories: '{TextNormalizer.Clip(bad)}' is not an arXiv category like cs.CL",
            _ when choices.Papers.FirstOrDefault(p => !ArxivId.IsPaperId(p)) is { } bad => $"papers: '{TextNormalizer.Clip(bad)}' is not an arXiv id",
            _ when choices.Authors.FirstOrDefault(a => a.Length > 200) is not null => "authors: a name has at most 200 characters",
            _ when choices.IsEmpty => "choose something to receive: trending, categories, searches, authors or papers",
            _ => null,
        };
        if (problem is not null)
            return (null, email, problem);
        foreach (var saved in choices.Searches)
        {
            if (!SearchModes.TryParse(saved.Mode, out var mode))
                return (null, email, $"searches: mode '{TextNormalizer.Clip(saved.Mode)}' must be hybrid, keyword or semantic");
            if (saved.Q.Length > 500)
                return (null, email, "searches: a query has at most 500 characters");
            try
            {
                await search.SearchAsync(new SearchRequest(saved.Q, mode, Limit: 1), ct);
            }
            catch (SearchQueryException ex)
            {
                return (null, email, $"searches: '{TextNormalizer.Clip(saved.Q)}' does not parse: {ex.Message}");
            }
        }
        return (choices, email, null);
    }

    private static List<string> Clean(IReadOnlyList<string>? items) =>
        (items ?? []).Select(i => i.Trim()).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Stores the waiting choices and mails the confirmation link; null when past the budget (and how long to wait).</summary>
    public async Task<TimeSpan?> RequestAsync(HttpContext http, string email, SubscriptionChoices choices, long? userId, CancellationToken ct)
    {
        if (!limits.TryAcquire(AbuseLimits.SignInClient, AbuseLimits.Client(http), out var wait) || !limits.TryAcquire(AbuseLimits.SignInEmail, email.ToLowerInvariant(), out wait))
            return wait;
        var secret = ApiTokens.NewSecret();
        var baseUrl = site.Base(http);
        await store.RequestAsync(email, userId, choices, ApiTokens.Hash(secret), clock.GetUtcNow(), s =>
        {
            var link = $"{baseUrl}/subscribe/confirm?id={s.Id}&secret={secret}";
            var what = Describe(choices);
            return new OutboxMessage("subscribe", email, "Confirm your Paperboy digest",
                $"Someone (we hope you) asked for Paperboy digests at this address: {what}.\n\nOpen this link to confirm:\n{link}\n\nIf it was not you, ignore this mail: nothing is sent without the confirmation.\n",
                $"<p>Someone (we hope you) asked for Paperboy digests at this address: {System.Net.WebUtility.HtmlEncode(what)}.</p><p><a href=\"{System.Net.WebUtility.HtmlEncode(link)}\">Confirm the subscription</a></p><p style=\"color:#666\">If it was not you, ignore this mail: nothing is sent without the confirmation.</p>");
        }, ct);
        sender.Wake();
        return null;
    }

    public static string Describe(SubscriptionChoices c)
    {
        var parts = new List<string>();
        if (c.Trending)
            parts.Add($"the Daily's top {c.TrendingCount} by trending");
        if (c.Categories.Count > 0)
            parts.Add("new papers in " + string.Join(", ", c.Categories));
        if (c.Searches.Count > 0)
            parts.Add(c.Searches.Count == 1 ? $"the search “{c.Searches[0].Q}”" : $"{c.Searches.Count} saved searches");
        if (c.Authors.Count > 0)
            parts.Add("papers by " + string.Join(", ", c.Authors));
        if (c.Papers.Count > 0)
            parts.Add($"news of {c.Papers.Count} followed paper{(c.Papers.Count == 1 ? "" : "s")}");
        return $"{string.Join("; ", parts)}, {c.Frequency} at {c.Hour:00}:00 {c.TimeZone}";
    }
}
