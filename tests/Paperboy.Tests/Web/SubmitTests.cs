using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Web;

/// <summary>Submit by arXiv id on the web and in the API, against the local arXiv; admin status.</summary>
public abstract partial class SubmitTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private TestStore _db = null!;
    private FakeArxiv _fake = null!;
    private PaperboyFactory _factory = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        _fake = await FakeArxiv.StartAsync();
        var settings = Ingestion.ArxivSettings(_fake, TimeSpan.Zero);
        settings["Web:SubmitsPerWindow"] = "3";
        _factory = new PaperboyFactory(_db, settings);
        _http = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        await _fake.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task The_api_submits_by_id_stores_without_listing_explains_unknown_ids_and_rate_limits()
    {
        using var ok = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14603" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var doc = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()))
        {
            Assert.Equal("2503.14603", doc.RootElement.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("submittedOnDailyAt").ValueKind);
        }
        // Stored, on no day: the days list what arXiv announced on them.
        Assert.Empty((await _db.Store.GetPaperAsync("2503.14603"))!.ListingDays);
        using var today = await _http.GetAsync(new Uri("/api/daily_papers", UriKind.Relative));
        Assert.Equal("[]", await today.Content.ReadAsStringAsync());

        using var unknown = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2501.99999" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("arXiv has no paper 2501.99999", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var bad = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "../../etc/passwd" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // Three per window for this client: the fourth is refused before arXiv is asked.
        using var third = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14620" });
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        var asked = _fake.Requests.Count;
        using var limited = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14603" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(asked, _fake.Requests.Count);
    }

    [Fact]
    public async Task Submitting_a_paper_that_is_here_already_changes_no_day_and_asks_arxiv_nothing()
    {
        await Importing.ImportAsync(_db.Store, TestData.Listing("2025-03-20"));
        var id = (await _db.Store.GetListingAsync(new Core.Papers.ListingQuery(Core.Papers.ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, Core.Papers.ListingSort.Published, 0, 1))).Items[0].Paper.Id;
        var before = await _http.GetStringAsync(new Uri("/api/daily_papers", UriKind.Relative));
        using var ok = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = id });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal([new DateOnly(2025, 3, 20)], (await _db.Store.GetPaperAsync(id))!.ListingDays);
        Assert.Empty(_fake.Requests);
        using var latest = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/daily_papers", UriKind.Relative)));
        // The latest day is still the announcement, not "today".
        Assert.All(latest.RootElement.EnumerateArray(), i => Assert.StartsWith("2025-03-20", i.GetProperty("paper").GetProperty("submittedOnDailyAt").GetString(), StringComparison.Ordinal));
        Assert.Equal(before, latest.RootElement.GetRawText());
    }

    [Fact]
    public async Task A_form_token_made_by_one_node_is_accepted_by_another_over_the_same_database()
    {
        // Node A makes the sign-in form (an antiforgery token and its cookie); node B, another process over the same
        // database, takes the POST: both read Data Protection's keys from the database.
        var settings = Ingestion.ArxivSettings(_fake, TimeSpan.Zero);
        await using var nodeB = new PaperboyFactory(_db, settings);
        var noCookies = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false };
        using var a = _factory.CreateClient(noCookies);
        using var b = nodeB.CreateClient(noCookies);

        using var form = await a.GetAsync(new Uri("/sign-in", UriKind.Relative));
        var token = Token().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        var cookie = string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        Assert.NotEmpty(await _db.Store.GetDataProtectionKeysAsync());

        using var post = new HttpRequestMessage(HttpMethod.Post, "/sign-in")
        {
            Content = new FormUrlEncodedContent([new("Email", "ada@example.org"), new("__RequestVerificationToken", token)]),
        };
        post.Headers.Add("Cookie", cookie);
        using var accepted = await b.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("Check your inbox", await accepted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_a_400_that_says_so()
    {
        using var notJson = await _http.PostAsync(new Uri("/api/papers/index", UriKind.Relative), new StringContent("arxivId=2503.14603", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        using var doc = JsonDocument.Parse(await notJson.Content.ReadAsStringAsync());
        Assert.Contains("not valid JSON", doc.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var wrongKind = await _http.PostAsync(new Uri("/api/papers/index", UriKind.Relative), new StringContent("{\"arxivId\": 2503}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);
        Assert.Contains("arxivId is not a string", await wrongKind.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [Fact]
    public async Task The_web_form_is_for_members_needs_its_antiforgery_token_and_fetches_unknown_papers_from_arxiv()
    {
        // A reader is sent to sign in, with the id kept for after.
        var anonymous = await _http.GetStringAsync(new Uri("/papers/submit?id=2503.14603", UriKind.Relative));
        Assert.Contains("Sign in to submit", anonymous, StringComparison.Ordinal);

        using var member = await MemberSessions.SignUpAsync(_factory, "ada");
        using var noToken = await member.PostAsync(new Uri("/papers/submit", UriKind.Relative), new FormUrlEncodedContent([new("id", "2503.14603")]));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Contains("security token was missing or out of date", await noToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await _db.Store.GetPaperAsync("2503.14603"));

        var form = await member.GetStringAsync(new Uri("/papers/submit?id=2503.14603", UriKind.Relative));
        Assert.Contains("value=\"2503.14603\"", form, StringComparison.Ordinal);
        var token = Token().Match(form).Groups[1].Value;
        // The paper is fetched from arXiv; first announced in 2025, it is far too old for today's Daily.
        using var posted = await member.PostAsync(new Uri("/papers/submit", UriKind.Relative),
            new FormUrlEncodedContent([new("id", "2503.14603"), new("__RequestVerificationToken", token)]));
        Assert.Equal((HttpStatusCode)422, posted.StatusCode);
        Assert.Contains("the Daily takes papers from the last 7 days", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(await _db.Store.GetPaperAsync("2503.14603"));

        using var unknown = await member.PostAsync(new Uri("/papers/submit", UriKind.Relative),
            new FormUrlEncodedContent([new("id", "2501.99999"), new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("arXiv has no paper 2501.99999", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_status_shows_the_last_ingestion_run()
    {
        using var before = await _http.GetAsync(new Uri("/api/admin/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var job = _factory.Services.GetService(typeof(Paperboy.Core.Ingest.DailyIngestJob)) as Paperboy.Core.Ingest.DailyIngestJob;
        var started = DateTime.UtcNow;
        await job!.RunAsync(Paperboy.Core.Ingest.SilentProgress.Instance, CancellationToken.None);
        using var after = await _http.GetAsync(new Uri("/api/admin/status", UriKind.Relative));
        using var doc = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        var ingestion = doc.RootElement.GetProperty("ingestion");
        Assert.True(ingestion.GetProperty("fetched").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, ingestion.GetProperty("lastError").ValueKind);
        Assert.Equal(JsonValueKind.String, ingestion.GetProperty("lastSuccess").ValueKind);
        // A first harvest with nothing saved starts yesterday (the local arXiv has nothing that new).
        Assert.Contains(ingestion.GetProperty("oai").GetProperty("lastDatestamp").GetString(), TestData.UtcDaysSince(started, offset: -1));

        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/api/admin/status");
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var refused = await _http.SendAsync(proxied);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}

/// <summary>arXiv slow or away: no request waits on it for more than a few seconds.</summary>
public sealed class SlowArxivSubmitTests
{
    [Fact]
    public async Task A_slow_arxiv_gets_a_202_and_the_paper_page_shows_the_paper_when_it_arrives()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await using var fake = await FakeArxiv.StartAsync();
        // arXiv's 3 s between requests, made 8 s: the second submission waits far longer than the request may (1 s),
        // however slowly the first one went.
        var settings = Ingestion.ArxivSettings(fake, TimeSpan.FromSeconds(8));
        settings["Web:SubmitWaitSeconds"] = "1";
        await using var app = new PaperboyFactory(db, settings);
        using var http = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var first = await http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14603" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14620" });
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("/papers/2503.14620", second.Headers.Location?.ToString());
        using (var doc = JsonDocument.Parse(await second.Content.ReadAsStringAsync()))
            Assert.Equal("fetching", doc.RootElement.GetProperty("status").GetString());

        using (var waiting = await http.GetAsync(new Uri("/papers/2503.14620", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Accepted, waiting.StatusCode);
            var page = await waiting.Content.ReadAsStringAsync();
            Assert.Contains("is being fetched from arXiv", page, StringComparison.Ordinal);
            Assert.Contains("http-equiv=\"refresh\"", page, StringComparison.Ordinal);
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            using var again = await http.GetAsync(new Uri("/papers/2503.14620", UriKind.Relative));
            status = again.StatusCode;
        }
        while (status == HttpStatusCode.Accepted && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task An_unreachable_arxiv_is_a_502_at_once_not_a_request_held_for_retries()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await using var app = new PaperboyFactory(db, new Dictionary<string, string?>
        {
            // .invalid never resolves (RFC 2606): what an offline machine sees for export.arxiv.org.
            ["Arxiv:QueryUrl"] = "http://export.arxiv.invalid/api/query",
            ["Arxiv:RequestInterval"] = "00:00:00",
            ["Arxiv:MaxRetries"] = "5",
            ["Arxiv:RetryDelay"] = "00:00:10",
            ["Web:SubmitWaitSeconds"] = "30",
        });
        using var http = app.CreateClient();
        // Five retries 10 s apart would hold the request 5 minutes and end in a 202 after the 30 s wait.
        using var response = await http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14603" });
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("could not be found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class SqliteSubmitTests : SubmitTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresSubmitTests : SubmitTests
{
    protected override string Provider => "postgres";
}
