using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Community;

/// <summary>
/// The community loop over HTTP on each provider: sign-in links, the Daily, upvotes, comments, bans and limits.
/// The clock is fixed at 2025-03-26 10:00 UTC, six days after the 2025-03-20 listing the tests import.
/// </summary>
public abstract class CommunityWebTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private static readonly DateTimeOffset Start = new(2025, 3, 26, 10, 0, 0, TimeSpan.Zero);
    private TestStore _db = null!;
    private FakeArxiv _fake = null!;
    private PaperboyFactory _factory = null!;
    private readonly TestClock _clock = new(Start);
    private string _paper = "";

    protected virtual Dictionary<string, string?> Settings() => [];

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        _fake = await FakeArxiv.StartAsync();
        await Importing.ImportAsync(_db.Store, TestData.Listing("2025-03-18"), TestData.Listing("2025-03-20"));
        var settings = Ingestion.ArxivSettings(_fake, TimeSpan.Zero);
        settings["Mail:PollSeconds"] = "0.1";
        settings["Web:ChangePollSeconds"] = "0"; // reads see each write at once (the default lets caches lag a second)
        foreach (var (k, v) in Settings())
            settings[k] = v;
        _factory = new PaperboyFactory(_db, settings, _clock);
        _paper = (await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 1))).Items[0].Paper.Id;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _fake.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<JsonDocument> JsonAsync(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync());

    private async Task<int> UpvotesAsync(string id)
    {
        using var http = _factory.CreateClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/papers/" + id, UriKind.Relative)));
        return doc.RootElement.GetProperty("upvotes").GetInt32();
    }

    [Fact]
    public async Task A_sign_in_link_signs_in_once_and_a_reused_altered_or_expired_link_changes_nothing()
    {
        using var http = MemberSessions.Browser(_factory);
        var link = await MemberSessions.RequestLinkAsync(_factory, http, "ada@example.org");
        Assert.StartsWith("http", link, StringComparison.Ordinal);
        using (var done = await MemberSessions.UseLinkAsync(http, link, "Ada"))
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var meBody = await http.GetStringAsync(new Uri("/api/me", UriKind.Relative));
        using (var me = JsonDocument.Parse(meBody))
            Assert.True(me.RootElement.TryGetProperty("handle", out var h) && h.GetString() == "ada", meBody);

        // The same link again: refused, and the stranger holding it is not signed in.
        using var other = MemberSessions.Browser(_factory);
        using (var again = await MemberSessions.UseLinkAsync(other, link))
        {
            Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
            Assert.Contains("This link does not work", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);

        // Altered: one character changed.
        var fresh = await MemberSessions.RequestLinkAsync(_factory, other, "ada@example.org");
        var altered = fresh[..^1] + (fresh[^1] == 'A' ? 'B' : 'A');
        using (var bad = await MemberSessions.UseLinkAsync(other, altered))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        // Expired: the clock moves past the 15 minutes.
        _clock.Advance(TimeSpan.FromMinutes(16));
        using (var late = await MemberSessions.UseLinkAsync(other, fresh))
            Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
        Assert.Single(await _factory.Services.GetRequiredService<IUserStore>().ListUsersAsync());
    }

    [Fact]
    public async Task Asking_for_a_link_answers_the_same_for_members_and_strangers_and_handles_are_unique_ignoring_case()
    {
        await MemberSessions.SignUpAsync(_factory, "grace");
        using var http = MemberSessions.Browser(_factory);
        async Task<(HttpStatusCode, string)> AskAsync(string email)
        {
            var form = await http.GetStringAsync(new Uri("/sign-in", UriKind.Relative));
            using var r = await http.PostAsync(new Uri("/sign-in", UriKind.Relative),
                new FormUrlEncodedContent([new("Email", email), new("__RequestVerificationToken", MemberSessions.FormToken().Match(form).Groups[1].Value)]));
            var body = await r.Content.ReadAsStringAsync();
            // The page names the address it was given; apart from that and the form token, it is the same page.
            body = MemberSessions.FormToken().Replace(body, "").Replace(email, "EMAIL", StringComparison.Ordinal);
            return (r.StatusCode, body);
        }
        var member = await AskAsync("grace@example.org");
        var stranger = await AskAsync("nobody@example.org");
        Assert.Equal(member, stranger);
        Assert.Equal(HttpStatusCode.OK, member.Item1);

        // A second newcomer wants the handle in capitals: taken.
        var link = await MemberSessions.LinkFromPickupAsync(_factory, "nobody@example.org");
        using var taken = await MemberSessions.UseLinkAsync(http, link, "GRACE");
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains("is taken", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Cookie_writes_need_the_antiforgery_header_and_anonymous_writes_are_refused()
    {
        using (var anonymous = _factory.CreateClient())
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(new Uri($"/api/papers/{_paper}/upvote", UriKind.Relative), null)).StatusCode);
        using var http = await MemberSessions.SignUpAsync(_factory, "ada");
        using (var noToken = await http.PostAsync(new Uri($"/api/papers/{_paper}/upvote", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
            Assert.Contains("antiforgery", await noToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await UpvotesAsync(_paper));
        var csrf = await MemberSessions.CsrfAsync(http);
        using var up = new HttpRequestMessage(HttpMethod.Post, $"/api/papers/{_paper}/upvote");
        up.Headers.Add("X-CSRF-TOKEN", csrf);
        using (var voted = await JsonAsync(await http.SendAsync(up)))
        {
            Assert.Equal(1, voted.RootElement.GetProperty("upvotes").GetInt32());
            Assert.True(voted.RootElement.GetProperty("upvoted").GetBoolean());
        }
        using var state = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/me/votes?ids={_paper},2503.00001", UriKind.Relative)));
        Assert.Equal([_paper], state.RootElement.EnumerateArray().Select(e => e.GetString()));
        // The page form for the same thing, without its token: refused.
        using var form = await http.PostAsync(new Uri($"/upvote/{_paper}", UriKind.Relative), new FormUrlEncodedContent([new("action", "withdraw")]));
        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        Assert.Equal(1, await UpvotesAsync(_paper));
    }

    [Fact]
    public async Task A_member_features_a_paper_once_within_the_age_limit()
    {
        var (ada, token) = await MemberSessions.WithTokenAsync(_factory.Services, "ada");
        using var http = _factory.CreateClient();
        async Task<(HttpStatusCode Status, string Body)> SubmitAsync(string id)
        {
            using var r = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, "/api/daily_papers", token, new { arxivId = id }));
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }
        var ok = await SubmitAsync("https://arxiv.org/abs/" + _paper);
        Assert.Equal(HttpStatusCode.Created, ok.Status);
        var again = await SubmitAsync(_paper);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("featured already: on the Daily of 2025-03-26, submitted by ada", again.Body, StringComparison.Ordinal);

        var old = (await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 18)), null, ListingSort.Published, 0, 1))).Items[0].Paper.Id;
        var tooOld = await SubmitAsync(old);
        Assert.Equal((HttpStatusCode)422, tooOld.Status);
        Assert.Contains("first announced on 2025-03-18, 8 days ago", tooOld.Body, StringComparison.Ordinal);
        Assert.False((await _db.Store.GetPaperAsync(old))!.Paper.IsFeatured);
        Assert.Equal(HttpStatusCode.NotFound, (await SubmitAsync("2501.99999")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SubmitAsync("not an id")).Status);

        // Today's Daily (the API's default and the home page) shows it with its submitter.
        using var daily = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/daily_papers", UriKind.Relative)));
        var item = Assert.Single(daily.RootElement.EnumerateArray());
        Assert.Equal(_paper, item.GetProperty("paper").GetProperty("id").GetString());
        Assert.Equal("ada", item.GetProperty("submittedBy").GetProperty("name").GetString());
        Assert.StartsWith("2025-03-26T10:00", item.GetProperty("paper").GetProperty("submittedOnDailyAt").GetString(), StringComparison.Ordinal);
        var home = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("1 featured paper", home, StringComparison.Ordinal);
        Assert.Contains("submitted by <a href=\"/users/ada\">", home, StringComparison.Ordinal);
        // view=all keeps the announcement list.
        using var all = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/daily_papers?date=2025-03-20&view=all&limit=1000", UriKind.Relative)));
        Assert.Equal(211, all.RootElement.GetArrayLength());
        Assert.Equal(ada.Id, (await _factory.Services.GetRequiredService<IUserStore>().FindUserByEmailAsync("ada@example.org"))!.Id);
    }

    [Fact]
    public async Task Two_hundred_members_upvote_at_once_and_the_count_is_exact_then_withdrawing_twice_leaves_zero()
    {
        var tokens = new List<string>();
        for (var i = 0; i < 200; i++)
            tokens.Add((await MemberSessions.WithTokenAsync(_factory.Services, $"m{i}")).Token);
        using var http = _factory.CreateClient();
        using var gate = new SemaphoreSlim(0);
        var votes = tokens.Select(async t =>
        {
            await gate.WaitAsync();
            using var r = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/upvote", t));
            return r.StatusCode;
        }).ToList();
        gate.Release(tokens.Count);
        Assert.All(await Task.WhenAll(votes), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(200, await UpvotesAsync(_paper));

        var withdrawals = tokens.Concat(tokens).Select(async t =>
        {
            await gate.WaitAsync();
            using var r = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Delete, $"/api/papers/{_paper}/upvote", t));
            return r.StatusCode;
        }).ToList();
        gate.Release(withdrawals.Count);
        Assert.All(await Task.WhenAll(withdrawals), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(0, await UpvotesAsync(_paper));
        using var unknown = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, "/api/papers/2501.99999/upvote", tokens[0]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Comments_render_markdown_and_math_and_refuse_scripts_huge_texts_and_strangers_edits()
    {
        var (_, ada) = await MemberSessions.WithTokenAsync(_factory.Services, "ada");
        var (_, bob) = await MemberSessions.WithTokenAsync(_factory.Services, "bob");
        using var http = _factory.CreateClient();
        var url = $"/api/papers/{_paper}/comments";
        using var posted = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, url, ada,
            new { text = "**Nice** <script>alert(1)</script> [x](javascript:alert(1)) ![big](https://example.org/huge.png) $E=mc^2$", parentId = (long?)null }));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        using var first = await JsonAsync(posted);
        var id = first.RootElement.GetProperty("id").GetInt64();
        var html = first.RootElement.GetProperty("html").GetString()!;
        Assert.Contains("<strong>Nice</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("class=\"math\"", html, StringComparison.Ordinal);

        using var reply = await JsonAsync(await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, url, bob, new { text = "Agreed", parentId = id })));
        var replyId = reply.RootElement.GetProperty("id").GetInt64();
        // A reply to a reply joins the same thread: one level deep.
        using var nested = await JsonAsync(await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, url, ada, new { text = "Thanks", parentId = replyId })));
        Assert.Equal(id, nested.RootElement.GetProperty("parentId").GetInt64());

        using var huge = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, url, ada, new { text = new string('x', 100 * 1024) }));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("102,400 characters", await huge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, "/api/papers/2501.99999/comments", ada, new { text = "hi" }))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, url, ada, new { text = "hi", parentId = 999_999 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Patch, $"/api/comments/{id}", bob, new { text = "mine now" }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Patch, $"/api/comments/{id}", ada, new { text = "Edited" }))).StatusCode);

        using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, UriKind.Relative)));
        Assert.Equal(["Edited", "Agreed", "Thanks"], list.RootElement.EnumerateArray().Select(c => c.GetProperty("text").GetString()));
        Assert.Equal(3, (await _db.Store.GetPaperAsync(_paper))!.Paper.LocalComments);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Delete, $"/api/comments/{id}", bob))).StatusCode);
        // Deleted by its author, the comment keeps its place for its replies, without its text.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Delete, $"/api/comments/{id}", ada))).StatusCode);
        Assert.Equal(2, (await _db.Store.GetPaperAsync(_paper))!.Paper.LocalComments);
        var page = await http.GetStringAsync(new Uri(Display(_paper), UriKind.Relative));
        Assert.Contains("[deleted by its author]", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
    }

    private static string Display(string id) => "/papers/" + id;

    [Fact]
    public async Task Past_a_budget_the_answer_is_429_with_retry_after()
    {
        var settings = Ingestion.ArxivSettings(_fake, TimeSpan.Zero);
        settings["Community:VotesPerMinute"] = "2";
        settings["Community:SignInEmailsPerHour"] = "1";
        await using var strict = new PaperboyFactory(_db, settings, _clock);
        var (_, token) = await MemberSessions.WithTokenAsync(strict.Services, "ada");
        using var http = strict.CreateClient();
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/upvote", token))).StatusCode);
        using var limited = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/upvote", token));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(1, await UpvotesAsync(_paper));

        using var browser = MemberSessions.Browser(strict);
        await MemberSessions.RequestLinkAsync(strict, browser, "ada@example.org");
        var form = await browser.GetStringAsync(new Uri("/sign-in", UriKind.Relative));
        using var second = await browser.PostAsync(new Uri("/sign-in", UriKind.Relative),
            new FormUrlEncodedContent([new("Email", "ADA@example.org"), new("__RequestVerificationToken", MemberSessions.FormToken().Match(form).Groups[1].Value)]));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.True(second.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task A_banned_member_is_told_why_and_their_votes_and_comments_stop_counting_until_the_ban_is_lifted()
    {
        var (_, admin) = await MemberSessions.WithTokenAsync(_factory.Services, "root", UserRole.Admin);
        var (_, eve) = await MemberSessions.WithTokenAsync(_factory.Services, "eve");
        using var http = _factory.CreateClient();
        await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/upvote", eve));
        await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/comments", eve, new { text = "spam spam" }));
        Assert.Equal(1, await UpvotesAsync(_paper));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, "/api/users/root/ban", eve, new { reason = "x" }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, "/api/users/eve/ban", admin, new { reason = "spam" }))).StatusCode);

        Assert.Equal(0, await UpvotesAsync(_paper));
        Assert.Equal(0, (await _db.Store.GetPaperAsync(_paper))!.Paper.LocalComments);
        using var refused = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/comments", eve, new { text = "again" }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("banned this account (spam)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var comments = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/papers/{_paper}/comments", UriKind.Relative)));
        Assert.Equal(0, comments.RootElement.GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Delete, "/api/users/eve/ban", admin))).StatusCode);
        Assert.Equal(1, await UpvotesAsync(_paper));
        Assert.Equal(1, (await _db.Store.GetPaperAsync(_paper))!.Paper.LocalComments);
        var audit = await _factory.Services.GetRequiredService<Core.Community.ICommentStore>().ListAuditAsync(10);
        Assert.Equal(["unban", "ban"], audit.Select(a => a.Action));
    }

    [Fact]
    public async Task Deleting_an_account_removes_its_votes_and_keeps_its_comments_as_a_deleted_member()
    {
        var (eve, token) = await MemberSessions.WithTokenAsync(_factory.Services, "eve");
        using var http = _factory.CreateClient();
        await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/upvote", token));
        await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/comments", token, new { text = "still here" }));
        await _factory.Services.GetRequiredService<IAccountStore>().DeleteUserAsync(eve.Id);
        Assert.Equal(0, await UpvotesAsync(_paper));
        using var comments = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/papers/{_paper}/comments", UriKind.Relative)));
        var c = Assert.Single(comments.RootElement.EnumerateArray());
        Assert.Equal("still here", c.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, c.GetProperty("author").ValueKind);
        Assert.Contains("deleted member", await http.GetStringAsync(new Uri(Display(_paper), UriKind.Relative)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Get, "/api/me", token))).StatusCode);
    }

    [Fact]
    public async Task A_report_fills_the_admin_queue_and_hiding_the_comment_closes_it()
    {
        var (_, admin) = await MemberSessions.WithTokenAsync(_factory.Services, "root", UserRole.Admin);
        var (_, ada) = await MemberSessions.WithTokenAsync(_factory.Services, "ada");
        var (_, bob) = await MemberSessions.WithTokenAsync(_factory.Services, "bob");
        using var http = _factory.CreateClient();
        using var posted = await JsonAsync(await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/comments", ada, new { text = "Buy cheap watches" })));
        var id = posted.RootElement.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/comments/{id}/report", bob, new { reason = "" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/comments/{id}/report", bob, new { reason = "spam" }))).StatusCode);
        var comments = _factory.Services.GetRequiredService<Core.Community.ICommentStore>();
        var report = Assert.Single(await comments.ListOpenReportsAsync(10));
        Assert.Equal(("bob", "spam", id), (report.ReporterHandle, report.Reason, report.Comment.Id));

        // Members cannot hide; the admin can, and that closes the report.
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/comments/{id}/hide", bob))).StatusCode);
        using var hidden = await JsonAsync(await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/comments/{id}/hide", admin)));
        Assert.Equal("hidden", hidden.RootElement.GetProperty("status").GetString());
        Assert.Empty(await comments.ListOpenReportsAsync(10));
        using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/papers/{_paper}/comments", UriKind.Relative)));
        Assert.Equal(0, list.RootElement.GetArrayLength());
        Assert.Equal(0, (await _db.Store.GetPaperAsync(_paper))!.Paper.LocalComments);
        Assert.Equal("hide-comment", (await comments.ListAuditAsync(1))[0].Action);
    }

    [Fact]
    public async Task A_profile_shows_submissions_and_comments_and_upvotes_only_when_made_public()
    {
        var (ada, token) = await MemberSessions.WithTokenAsync(_factory.Services, "ada");
        using var http = _factory.CreateClient();
        await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, "/api/daily_papers", token, new { arxivId = _paper }));
        await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/comments", token, new { text = "A *fine* paper" }));
        await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{_paper}/upvote", token));
        var title = (await _db.Store.GetPaperAsync(_paper))!.Paper.Title;

        var profile = await http.GetStringAsync(new Uri("/users/ADA", UriKind.Relative));
        Assert.Contains(System.Net.WebUtility.HtmlEncode(title), profile, StringComparison.Ordinal);
        Assert.Contains("A <em>fine</em> paper", profile, StringComparison.Ordinal);
        Assert.DoesNotContain("<h2>Upvoted", profile, StringComparison.Ordinal);
        await _factory.Services.GetRequiredService<IAccountStore>().SetProfileAsync(ada.Id, "ada", "Ada L.", votesPublic: true);
        var shown = await http.GetStringAsync(new Uri("/users/ada", UriKind.Relative));
        Assert.Contains("<h2>Upvoted</h2>", shown, StringComparison.Ordinal);
        Assert.Contains("<h1>Ada L.</h1>", shown, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/users/nobody", UriKind.Relative))).StatusCode);
    }
}

public sealed class SqliteCommunityWebTests : CommunityWebTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresCommunityWebTests : CommunityWebTests
{
    protected override string Provider => "postgres";
}
