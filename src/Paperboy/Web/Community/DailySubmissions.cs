using Microsoft.Extensions.Options;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Paperboy.Web.Submit;

namespace Paperboy.Web.Community;

/// <summary>What a submission to the Daily came to: an HTTP status, a sentence for the member, and the paper.</summary>
public sealed record DailyOutcome(int Status, string Detail, PaperRecord? Paper = null)
{
    /// <summary>For a 429: how long until the member's budget has room again.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>
/// A member puts a paper on today's Daily: by arXiv id or URL, fetched from arXiv when Paperboy lacks it; refused
/// when first announced more than <c>Community:SubmitMaxAgeDays</c> ago, or already featured (once per paper).
/// The web form and <c>POST /api/daily_papers</c> share this and their budget.
/// </summary>
public sealed class DailySubmissions(IDailyStore daily, IPaperReader papers, PendingSubmissions pending, AbuseLimits limits, IOptions<CommunityOptions> options, TimeProvider clock)
{
    public async Task<DailyOutcome> SubmitAsync(User member, string? input, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input) || !ArxivId.TryParse(input, out var id, out _))
            return new(400, $"'{TextNormalizer.Clip(input ?? "")}' is not an arXiv id or link (such as 2503.11731, hep-th/9901001 or https://arxiv.org/abs/2503.11731)");
        if (!limits.TryAcquire(AbuseLimits.Submit, "member:" + member.Id, out var wait))
            return new(429, $"You have submitted many papers in the last hour; try again in {Display.Duration(wait)}") { RetryAfter = wait };
        var details = await papers.GetPaperAsync(id, ct);
        if (details is null)
        {
            SubmitResult? fetched;
            try
            {
                fetched = await pending.WaitBrieflyAsync(pending.Start(id), ct);
            }
            catch (Exception ex) when (ex is ArxivUnavailableException or ArxivFormatException or ArxivQueryException)
            {
                return new(502, $"arXiv could not be reached just now, so {id} was not added; try again later");
            }
            if (fetched is null)
                return new(202, $"{id} is being fetched from arXiv; submit it again in a few seconds to feature it");
            if (fetched.Outcome is SubmitOutcome.Unknown)
                return new(404, $"arXiv has no paper {id}");
            if (fetched.Outcome is SubmitOutcome.Invalid)
                return new(400, fetched.Message);
            details = await papers.GetPaperAsync(id, ct);
            if (details is null)
                return new(404, $"arXiv has no paper {id}");
        }
        var paper = details.Paper;
        if (paper.IsFeatured)
            return AlreadyFeatured(paper);
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var first = FirstAnnounced(details);
        var maxAge = options.Value.SubmitMaxAgeDays;
        if (first is { } f && f < today.AddDays(-maxAge))
            return new(422, $"{id} was first announced on {Display.Day(f)}, {today.DayNumber - f.DayNumber} days ago; the Daily takes papers from the last {maxAge} days", paper);
        var result = await daily.FeatureAsync(id, today, member, now, ct);
        return result.Outcome switch
        {
            FeatureOutcome.Featured => new(201, $"{id} is on the Daily of {Display.Day(today)}", result.Paper),
            FeatureOutcome.AlreadyFeatured => AlreadyFeatured(result.Paper!),
            _ => new(404, $"no paper {id}"),
        };
    }

    private static DailyOutcome AlreadyFeatured(PaperRecord paper) =>
        new(409, $"{paper.Id} is featured already: on the Daily of {Display.Day(paper.DailyDay!.Value)}{(paper.SubmittedBy is { } by ? ", submitted by " + by.Name : "")}", paper);

    /// <summary>arXiv's first announcement: the earliest of the published date and the listing days.</summary>
    public static DateOnly? FirstAnnounced(PaperDetails d)
    {
        DateOnly? first = d.Paper.PublishedOn;
        if (d.ListingDays.Count > 0 && (first is null || d.ListingDays[0] < first))
            first = d.ListingDays[0];
        return first;
    }
}
