using System.Text.Json;
using Microsoft.Extensions.Options;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Paperboy.Web.Account;
using Paperboy.Web.Papers;

namespace Paperboy.Web.Community;

public sealed record DailySubmitRequest(string? ArxivId);

public sealed record CommentRequest(string? Text, long? ParentId);

public sealed record ReasonRequest(string? Reason);

public sealed record ApiCommentAuthor(string Handle, string? DisplayName);

/// <summary>A comment in the API. Hidden and deleted ones keep their place (for their replies) without text.</summary>
public sealed record ApiComment(long Id, string PaperId, long? ParentId, ApiCommentAuthor? Author, string? Text, string? Html, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt, string Status)
{
    public static ApiComment From(Comment c) => new(
        c.Id, c.PaperId, c.ParentId,
        c.AuthorHandle is { } h && !c.AuthorBanned ? new ApiCommentAuthor(h, c.AuthorName) : null,
        c.Visible ? c.Body : null,
        c.Visible ? CommentMarkdown.ToHtml(c.Body) : null,
        c.CreatedAt, c.EditedAt,
        c.Deleted ? "deleted" : c.Hidden || c.AuthorBanned ? "hidden" : "visible");
}

public sealed record ApiVote(string Id, int Upvotes, bool Upvoted);

/// <summary>
/// The community feature's API: the Daily's submissions, upvotes, comments and their moderation, trending. Writes
/// take a member (cookie plus antiforgery header, or a Bearer token), refuse banned members, and are rate-limited per
/// member. Its pages (trending, moderation, the no-script upvote) are beside this file.
/// </summary>
public static class CommunityApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddCommunity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CommunityOptions>().Bind(configuration.GetSection(CommunityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AbuseLimits>();
        services.AddSingleton<DailySubmissions>();
        services.AddSingleton<TrendingReads>();
        return services;
    }

    public static void MapCommunity(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("community");
        var members = api.MapGroup("").AddEndpointFilter<RequireMember>();
        members.MapPost("/daily_papers", SubmitToDailyAsync)
            .WithSummary("Put a paper on today's Daily (JSON {\"arxivId\": \"2503.11731\"}; an arXiv URL works too)")
            .WithDescription("201 with the featured paper; 202 while it is fetched from arXiv (submit again); 400 bad id; 404 unknown at arXiv; 409 featured already; 422 first announced too long ago; 429 past the member's budget.");
        // Paper ids may hold a slash (hep-th/9901001), so the paper routes are catch-alls dispatched on their last segment.
        members.MapPost("/papers/{**path}", PaperWriteAsync)
            .WithSummary("`{id}/upvote`: upvote (answers the new count); `{id}/comments`: comment (JSON {\"text\", \"parentId\"})");
        members.MapDelete("/papers/{**path}", PaperWriteAsync)
            .WithSummary("`{id}/upvote`: withdraw the upvote (answers the new count)");
        members.MapPatch("/comments/{id:long}", EditCommentAsync).WithSummary("Edit your own comment (JSON {\"text\"})");
        members.MapDelete("/comments/{id:long}", DeleteCommentAsync).WithSummary("Delete your own comment");
        members.MapPost("/comments/{id:long}/report", ReportCommentAsync).WithSummary("Report a comment to the admins (JSON {\"reason\"})");
        var admins = members.MapGroup("").RequireAuthorization("admin");
        admins.MapPost("/comments/{id:long}/hide", (long id, HttpContext http, ICommentStore comments, TimeProvider clock, CancellationToken ct) => HideAsync(id, true, http, comments, clock, ct))
            .WithSummary("Admin: hide a comment (in the audit log)");
        admins.MapDelete("/comments/{id:long}/hide", (long id, HttpContext http, ICommentStore comments, TimeProvider clock, CancellationToken ct) => HideAsync(id, false, http, comments, clock, ct))
            .WithSummary("Admin: show a hidden comment again");
        admins.MapPost("/users/{handle}/ban", (string handle, HttpContext http, IAccountStore accounts, Members m, TimeProvider clock, CancellationToken ct) => BanAsync(handle, true, http, accounts, m, clock, ct))
            .WithSummary("Admin: ban a member (JSON {\"reason\"}): their comments hidden, votes not counted");
        admins.MapDelete("/users/{handle}/ban", (string handle, HttpContext http, IAccountStore accounts, Members m, TimeProvider clock, CancellationToken ct) => BanAsync(handle, false, http, accounts, m, clock, ct))
            .WithSummary("Admin: lift a ban");
        api.MapGet("/trending", async (TrendingReads trending, string? period, int? limit, CancellationToken ct) =>
            {
                if (!TrendingReads.TryWindow(period, out var window))
                    return Results.Problem(statusCode: 400, title: "Bad request", detail: $"period: '{TextNormalizer.Clip(period ?? "")}' must be day, week or month");
                var entries = await trending.RankAsync(window, ct);
                return Results.Ok(entries.Take(Math.Clamp(limit ?? 50, 1, 500)).Select(e => new
                {
                    paper = ApiDailyPaper.From(new ListedPaper(e.Paper, e.Paper.DailyDay!.Value)),
                    score = Math.Round(e.Score, 3),
                    rank = e.Rank,
                    explanation = e.Explanation,
                }));
            })
            .WithSummary("Featured papers of the last day, week or month by trending score, each with its explanation");
    }

    /// <summary>Reads a JSON body with a 400 that says what is wrong (and where), not the framework's bare one.</summary>
    internal static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpContext http, string example, CancellationToken ct) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, Json, ct);
            return value is null ? (null, Bad($"body: expected JSON such as {example}")) : (value, null);
        }
        catch (JsonException ex)
        {
            var at = ex.BytePositionInLine is { } col ? $" (line {(ex.LineNumber ?? 0) + 1}, column {col + 1})" : "";
            var what = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? $"{path[2..]} has the wrong type{at}" : $"this is not valid JSON{at}";
            return (null, Bad($"body: expected JSON such as {example}; {what}"));
        }
    }

    internal static IResult Bad(string detail) => Results.Problem(statusCode: 400, title: "Bad request", detail: detail);

    private static IResult Outcome(DailyOutcome o) => o.Status switch
    {
        201 => Results.Json(ApiDailyPaper.From(new ListedPaper(o.Paper!, o.Paper!.DailyDay!.Value)), statusCode: 201),
        202 => Results.Json(new { status = "fetching", detail = o.Detail }, statusCode: 202),
        _ => Results.Problem(statusCode: o.Status, title: o.Status switch { 409 => "Featured already", 422 => "Too old for the Daily", 429 => "Too many requests", 404 => "Not found", 502 => "arXiv did not answer", _ => "Bad request" }, detail: o.Detail),
    };

    private static async Task<IResult> SubmitToDailyAsync(HttpContext http, DailySubmissions submissions, CancellationToken ct)
    {
        var (body, problem) = await ReadJsonAsync<DailySubmitRequest>(http, "{\"arxivId\": \"2503.11731\"}", ct);
        if (problem is not null)
            return problem;
        var member = (User)http.Items[Members.MemberItem]!;
        var outcome = await submissions.SubmitAsync(member, body!.ArxivId, ct);
        if (outcome.RetryAfter is { } wait)
            AbuseLimits.SetRetryAfter(http.Response, wait);
        return Outcome(outcome);
    }

    private static async Task<IResult> PaperWriteAsync(string path, HttpContext http, IVoteStore votes, ICommentStore comments, AbuseLimits limits,
        IOptions<CommunityOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var member = (User)http.Items[Members.MemberItem]!;
        var slash = path.LastIndexOf('/');
        var (id, action) = slash > 0 ? (path[..slash], path[(slash + 1)..]) : (path, "");
        if (!ArxivId.IsPaperId(id))
            return Bad($"id: '{TextNormalizer.Clip(id)}' is not a paper id such as 2503.11731");
        var delete = HttpMethods.IsDelete(http.Request.Method);
        switch (action)
        {
            case "upvote":
                if (!limits.TryAcquire(AbuseLimits.Vote, "member:" + member.Id, out var wait))
                    return AbuseLimits.TooMany(http, wait, "Many votes in the last minute");
                var vote = delete ? await votes.WithdrawAsync(id, member.Id, ct) : await votes.UpvoteAsync(id, member.Id, clock.GetUtcNow(), ct);
                return vote.Outcome == VoteOutcome.UnknownPaper
                    ? Results.Problem(statusCode: 404, title: "Not found", detail: $"No paper {id} here: nothing to vote on")
                    : Results.Ok(new ApiVote(id, vote.Upvotes, vote.Voted));
            case "comments" when !delete:
                var (body, problem) = await ReadJsonAsync<CommentRequest>(http, "{\"text\": \"Nice result\", \"parentId\": null}", ct);
                if (problem is not null)
                    return problem;
                if (CheckText(body!.Text, options.Value.CommentMaxLength) is { } bad)
                    return bad;
                if (!limits.TryAcquire(AbuseLimits.Comment, "member:" + member.Id, out var cwait))
                    return AbuseLimits.TooMany(http, cwait, "Many comments in the last minutes");
                var added = await comments.AddAsync(id, member.Id, body.ParentId, body.Text!.Trim(), clock.GetUtcNow(), ct);
                return added.Outcome switch
                {
                    CommentOutcome.Done => Results.Json(ApiComment.From(added.Comment!), statusCode: 201),
                    CommentOutcome.UnknownPaper => Results.Problem(statusCode: 404, title: "Not found", detail: $"No paper {id} here"),
                    _ => Results.Problem(statusCode: 400, title: "Bad request", detail: added.Message),
                };
            default:
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"'{TextNormalizer.Clip(path)}': use /api/papers/{{id}}/upvote or /api/papers/{{id}}/comments");
        }
    }

    internal static IResult? CheckText(string? text, int max) =>
        string.IsNullOrWhiteSpace(text) ? Bad("text: write something (Markdown; $math$ works)")
        : text.Length > max ? Bad($"text: {text.Length:N0} characters; a comment has at most {max:N0}")
        : null;

    private static async Task<IResult> EditCommentAsync(long id, HttpContext http, ICommentStore comments, IOptions<CommunityOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var member = (User)http.Items[Members.MemberItem]!;
        var (body, problem) = await ReadJsonAsync<CommentRequest>(http, "{\"text\": \"Corrected\"}", ct);
        if (problem is not null)
            return problem;
        if (CheckText(body!.Text, options.Value.CommentMaxLength) is { } bad)
            return bad;
        return CommentAnswer(await comments.EditAsync(id, member.Id, body.Text!.Trim(), clock.GetUtcNow(), ct));
    }

    private static async Task<IResult> DeleteCommentAsync(long id, HttpContext http, ICommentStore comments, TimeProvider clock, CancellationToken ct) =>
        CommentAnswer(await comments.DeleteAsync(id, ((User)http.Items[Members.MemberItem]!).Id, clock.GetUtcNow(), ct));

    private static async Task<IResult> ReportCommentAsync(long id, HttpContext http, ICommentStore comments, TimeProvider clock, CancellationToken ct)
    {
        var (body, problem) = await ReadJsonAsync<ReasonRequest>(http, "{\"reason\": \"spam\"}", ct);
        if (problem is not null)
            return problem;
        var reason = TextNormalizer.Collapse(body!.Reason ?? "");
        if (reason.Length is 0 or > 500)
            return Bad("reason: say in a few words (at most 500 characters) what is wrong");
        var result = await comments.ReportAsync(id, ((User)http.Items[Members.MemberItem]!).Id, reason, clock.GetUtcNow(), ct);
        return result.Outcome == CommentOutcome.Done ? Results.Accepted(value: new { id, status = "reported" }) : CommentAnswer(result);
    }

    private static async Task<IResult> HideAsync(long id, bool hide, HttpContext http, ICommentStore comments, TimeProvider clock, CancellationToken ct) =>
        CommentAnswer(await comments.SetHiddenAsync(id, hide, ((User)http.Items[Members.MemberItem]!).Id, clock.GetUtcNow(), ct));

    private static async Task<IResult> BanAsync(string handle, bool ban, HttpContext http, IAccountStore accounts, Members members, TimeProvider clock, CancellationToken ct)
    {
        var admin = (User)http.Items[Members.MemberItem]!;
        string? reason = null;
        if (ban)
        {
            var (body, problem) = await ReadJsonAsync<ReasonRequest>(http, "{\"reason\": \"spam\"}", ct);
            if (problem is not null)
                return problem;
            reason = TextNormalizer.Collapse(body!.Reason ?? "");
            if (reason.Length is 0 or > 500)
                return Bad("reason: say why (at most 500 characters); the member is shown it");
        }
        var user = await accounts.FindUserByHandleAsync(handle, ct);
        if (user is null)
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"No member '{TextNormalizer.Clip(handle)}'");
        if (user.Id == admin.Id)
            return Bad("an admin cannot ban themselves");
        await accounts.SetBannedAsync(user.Id, reason, admin.Id, clock.GetUtcNow(), ct);
        members.Forget(user.Id);
        return Results.Ok(new { handle = user.Handle, banned = ban });
    }

    private static IResult CommentAnswer(CommentResult r) => r.Outcome switch
    {
        CommentOutcome.Done => Results.Ok(ApiComment.From(r.Comment!)),
        CommentOutcome.NotFound => Results.Problem(statusCode: 404, title: "Not found", detail: r.Message),
        CommentOutcome.NotAllowed => Results.Problem(statusCode: 403, title: "Forbidden", detail: r.Message),
        _ => Results.Problem(statusCode: 400, title: "Bad request", detail: r.Message),
    };
}
