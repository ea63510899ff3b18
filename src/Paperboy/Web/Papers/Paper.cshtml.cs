using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Paperboy.Web.Account;
using Paperboy.Web.Community;
using Paperboy.Web.Submit;

namespace Paperboy.Web.Papers;

/// <summary>
/// One paper: full abstract, authors, categories, dates, versions, links, older texts; its upvotes, trending line and
/// discussion (comments with one level of replies; members write, edit, delete, report; admins hide).
/// Anonymous readers get a cached page; members' pages carry their forms.
/// </summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = FreshOutputCachePolicy.Search)]
public sealed class PaperModel(
    IPaperReader store, Core.Search.SearchEngine search, PendingSubmissions pending, ICommentStore comments, Members members,
    TrendingReads trending, AbuseLimits limits, IOptions<CommunityOptions> community, TimeProvider clock) : PageModel
{
    [FromRoute] public string Id { get; set; } = "";

    [BindProperty] public string? Text { get; set; }
    [BindProperty] public long? ParentId { get; set; }
    [BindProperty] public long CommentId { get; set; }
    [BindProperty] public string? Reason { get; set; }

    public PaperDetails? Details { get; private set; }
    public string? Problem { get; private set; }
    public string? CommentProblem { get; private set; }

    /// <summary>True while the paper is being fetched from arXiv after a submission: the page reloads itself.</summary>
    public bool Fetching { get; private set; }
    public IReadOnlyList<Core.Search.SearchHit> Similar { get; private set; } = [];
    public IReadOnlyList<Comment> Comments { get; private set; } = [];
    public User? Member { get; private set; }
    public TrendingEntry? Trend { get; private set; }
    public DateTimeOffset Now => clock.GetUtcNow();
    public int CommentMaxLength => community.Value.CommentMaxLength;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (ArxivId.TryParse(Id, out var canonical, out var version) && (canonical != Id || version is not null))
            return RedirectPermanent(Display.PaperUrl(canonical));
        if (!ArxivId.IsPaperId(Id))
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = $"'{(Id.Length > 60 ? Id[..60] + "…" : Id)}' is not an arXiv id such as 2503.11731 or hep-th/9901001.";
            ViewData["Title"] = "Not found";
            return Page();
        }
        Details = await store.GetPaperAsync(Id, ct);
        if (Details is null)
        {
            ViewData["Title"] = "Not found";
            (Response.StatusCode, Problem) = pending.Find(Id) switch
            {
                // Neither is cached (only 200 and 404 are): the next look may find the paper.
                { IsCompleted: false } => (StatusCodes.Status202Accepted, $"{Id} is being fetched from arXiv. This page shows it as soon as it arrives."),
                { IsFaulted: true } failed => (StatusCodes.Status503ServiceUnavailable, $"arXiv could not be reached just now, so {Id} was not added ({failed.Exception?.InnerException?.Message}). Please submit it again later."),
                { IsCompletedSuccessfully: true, Result.Outcome: Core.Ingest.Arxiv.SubmitOutcome.Unknown } => (StatusCodes.Status404NotFound, $"arXiv has no paper {Id}."),
                _ => (StatusCodes.Status404NotFound, $"Paperboy has no paper {Id} yet."),
            };
            Fetching = Response.StatusCode == StatusCodes.Status202Accepted;
            if (Fetching)
                ViewData["Title"] = "Fetching " + Id;
            return Page();
        }
        ViewData["Title"] = Details.Paper.Title;
        ViewData["Feeds"] = new List<Feeds.FeedsApi.FeedLink> { new("this paper's discussion", $"papers/{Id}/comments") };
        Member = await members.CurrentAsync(HttpContext);
        Comments = await comments.ListAsync(Id, ct);
        Trend = await trending.ExplainAsync(Id, ct);
        Similar = await search.SimilarAsync(Id, 10, ct);
        return Page();
    }

    public Task<IActionResult> OnPostCommentAsync(CancellationToken ct) => AsMemberAsync(async member =>
    {
        if (string.IsNullOrWhiteSpace(Text))
            return await Again(400, "Write something first (Markdown works; $math$ too).", ct);
        if (Text.Length > CommentMaxLength)
            return await Again(400, $"That comment has {Text.Length:N0} characters; at most {CommentMaxLength:N0} fit.", ct);
        if (!limits.TryAcquire(AbuseLimits.Comment, "member:" + member.Id, out var wait))
        {
            AbuseLimits.SetRetryAfter(Response, wait);
            return await Again(429, $"You have written many comments in the last minutes. Please wait {Display.Duration(wait)}.", ct);
        }
        var result = await comments.AddAsync(Id, member.Id, ParentId, Text.Trim(), clock.GetUtcNow(), ct);
        return result.Outcome == CommentOutcome.Done
            ? Redirect($"{Display.PaperUrl(Id)}#comment-{result.Comment!.Id}")
            : await Again(result.Outcome == CommentOutcome.UnknownPaper ? 404 : 400, result.Message ?? "The comment was not added.", ct);
    });

    public Task<IActionResult> OnPostEditAsync(CancellationToken ct) => AsMemberAsync(async member =>
    {
        if (string.IsNullOrWhiteSpace(Text) || Text.Length > CommentMaxLength)
            return await Again(400, $"A comment has 1 to {CommentMaxLength:N0} characters.", ct);
        return await DoneAsync(await comments.EditAsync(CommentId, member.Id, Text.Trim(), clock.GetUtcNow(), ct), ct);
    });

    public Task<IActionResult> OnPostDeleteAsync(CancellationToken ct) => AsMemberAsync(async member =>
        await DoneAsync(await comments.DeleteAsync(CommentId, member.Id, clock.GetUtcNow(), ct), ct));

    public Task<IActionResult> OnPostReportAsync(CancellationToken ct) => AsMemberAsync(async member =>
    {
        var reason = TextNormalizer.Collapse(Reason ?? "");
        if (reason.Length is 0 or > 500)
            return await Again(400, "Say in a few words what is wrong with the comment.", ct);
        await comments.ReportAsync(CommentId, member.Id, reason, clock.GetUtcNow(), ct);
        return Redirect($"{Display.PaperUrl(Id)}?reported={CommentId}#comment-{CommentId}");
    });

    public Task<IActionResult> OnPostHideAsync(CancellationToken ct) => AsMemberAsync(async member =>
        member.Role != UserRole.Admin
            ? await Again(403, "Only admins hide comments.", ct)
            : await DoneAsync(await comments.SetHiddenAsync(CommentId, hidden: Reason != "show", member.Id, clock.GetUtcNow(), ct), ct));

    private async Task<IActionResult> AsMemberAsync(Func<User, Task<IActionResult>> action)
    {
        Member = await members.CurrentAsync(HttpContext);
        if (Member is null)
            return Challenge();
        if (Member.IsBanned)
            return await Again(403, $"An admin has banned this account ({Member.BanReason}): it cannot comment.", HttpContext.RequestAborted);
        return await action(Member);
    }

    private async Task<IActionResult> DoneAsync(CommentResult r, CancellationToken ct) => r.Outcome switch
    {
        CommentOutcome.Done => Redirect($"{Display.PaperUrl(Id)}#comment-{r.Comment!.Id}"),
        CommentOutcome.NotAllowed => await Again(403, r.Message ?? "Not allowed.", ct),
        CommentOutcome.NotFound => await Again(404, r.Message ?? "No such comment.", ct),
        _ => await Again(400, r.Message ?? "Not done.", ct),
    };

    /// <summary>The page again, with what went wrong above the comment form.</summary>
    private async Task<IActionResult> Again(int status, string problem, CancellationToken ct)
    {
        var result = await OnGetAsync(ct);
        Response.StatusCode = status;
        CommentProblem = problem;
        return result;
    }
}
