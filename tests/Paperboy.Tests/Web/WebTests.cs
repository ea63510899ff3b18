using System.Net;
using System.Text.Json;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Web;

/// <summary>Pages and API over HTTP, on each provider.</summary>
public abstract class WebTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private TestStore _db = null!;
    private PaperboyFactory _factory = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        _factory = new PaperboyFactory(_db);
        _http = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task ImportAsync(params string[] paths) => Importing.ImportAsync(_db.Store, paths);

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var response = await _http.GetAsync(new Uri(url, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_empty_database_shows_how_to_import()
    {
        var (status, body) = await GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("No papers yet", body, StringComparison.Ordinal);
        Assert.Contains("paperboy import", body, StringComparison.Ordinal);
        var (apiStatus, apiBody) = await GetAsync("/api/daily_papers");
        Assert.Equal(HttpStatusCode.OK, apiStatus);
        Assert.Equal("[]", apiBody);
    }

    [Fact]
    public async Task The_daily_page_lists_the_days_papers_across_pages()
    {
        await ImportAsync(TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"), TestData.Listing("2025-03-24"));
        var (status, body) = await GetAsync("/papers/date/2025-03-20");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("211 papers", body, StringComparison.Ordinal);
        Assert.Contains("href=\"/papers/date/2025-03-19\"", body, StringComparison.Ordinal);
        Assert.Contains("href=\"/papers/date/2025-03-24\"", body, StringComparison.Ordinal);

        var ids = new HashSet<string>();
        for (var page = 1; page <= 5; page++)
        {
            var (_, html) = await GetAsync($"/papers/date/2025-03-20?page={page}");
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(html, "<h2[^>]*><a href=\"/papers/([^\"]+)\">"))
                Assert.True(ids.Add(m.Groups[1].Value), "listed twice: " + m.Groups[1].Value);
        }
        Assert.Equal(211, ids.Count);

        // The home page is today's Daily; with nothing featured it says so and shows the latest announcement.
        var (_, home) = await GetAsync("/");
        Assert.Contains("Nothing has been featured on this Daily yet", home, StringComparison.Ordinal);
        Assert.Contains("everything arXiv announced on 2025-03-24", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Week_month_and_category_views_work()
    {
        await ImportAsync(TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"));
        var (ws, week) = await GetAsync("/papers/week/2025-W12");
        Assert.Equal(HttpStatusCode.OK, ws);
        Assert.Contains("week 2025-W12", week, StringComparison.Ordinal);
        var (ms, month) = await GetAsync("/papers/month/2025-03");
        Assert.Equal(HttpStatusCode.OK, ms);
        Assert.Contains("March 2025", month, StringComparison.Ordinal);
        var (cs, cat) = await GetAsync("/papers/date/2025-03-20?category=cs.RO");
        Assert.Equal(HttpStatusCode.OK, cs);
        Assert.Contains("8 papers", cat, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/papers/date/2025-02-30", HttpStatusCode.BadRequest, "not a day of the calendar")]
    [InlineData("/papers/date/yesterday", HttpStatusCode.BadRequest, "use yyyy-MM-dd")]
    [InlineData("/papers/week/2025-W60", HttpStatusCode.BadRequest, "not an ISO week")]
    [InlineData("/papers/date/2024-01-01", HttpStatusCode.NotFound, "No papers were listed")]
    [InlineData("/papers/2501.99999", HttpStatusCode.NotFound, "no paper 2501.99999")]
    [InlineData("/papers/..%2F..%2Fetc%2Fpasswd", HttpStatusCode.NotFound, "is not an arXiv id")]
    [InlineData("/papers/date/2025-03-20?category=%3Cscript%3E", HttpStatusCode.BadRequest, "&lt;script&gt;")]
    [InlineData("/no/such/page", HttpStatusCode.NotFound, "There is no page at this address")]
    public async Task Bad_addresses_get_a_clear_4xx_page(string url, HttpStatusCode expected, string message)
    {
        await ImportAsync(TestData.Listing("2025-03-20"));
        var (status, body) = await GetAsync(url);
        Assert.Equal(expected, status);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.Contains("<html", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Titles_are_escaped_and_paper_pages_show_everything()
    {
        using var dir = new TestData.TempDir();
        await ImportAsync(Importing.Write(dir, "2025-01-02.jsonl",
            Importing.ListingLine("2501.00001", "<script>alert('x')</script> & friends", "Abstract with $x<y$."),
            Importing.ListingLine("2501.00002", "Revised later")));
        await ImportAsync(Importing.Write(dir, "2025-01-03.jsonl", Importing.ListingLine("2501.00002", "Revised later, new title")));
        var (_, day) = await GetAsync("/papers/date/2025-01-02");
        Assert.DoesNotContain("<script>alert", day, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; friends", day, StringComparison.Ordinal);

        var (status, page) = await GetAsync("/papers/2501.00002");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Revised later, new title", page, StringComparison.Ordinal);
        Assert.Contains("Earlier text", page, StringComparison.Ordinal);
        Assert.Contains("https://arxiv.org/pdf/2501.00002", page, StringComparison.Ordinal);
        Assert.Contains("2025-01-03", page, StringComparison.Ordinal);

        using var versioned = await _http.GetAsync(new Uri("/papers/2501.00002v3", UriKind.Relative));
        Assert.Equal(HttpStatusCode.MovedPermanently, versioned.StatusCode);
        Assert.Equal("/papers/2501.00002", versioned.Headers.Location?.ToString());
    }

    [Fact]
    public async Task The_api_matches_hugging_faces_daily_papers_shape()
    {
        await ImportAsync(TestData.Listing("2025-03-20"), TestData.HfDaily);
        var (status, body) = await GetAsync("/api/daily_papers?date=2025-03-20&view=all");
        Assert.Equal(HttpStatusCode.OK, status);
        using var ours = JsonDocument.Parse(body);
        Assert.Equal(211, ours.RootElement.GetArrayLength());

        // Every field an HF client reads for the list is there, with the same JSON kinds.
        using var hf = JsonDocument.Parse(await File.ReadAllTextAsync(TestData.HfDaily));
        var theirs = hf.RootElement[0];
        var mine = ours.RootElement[0];
        foreach (var key in new[] { "paper", "title", "summary", "numComments", "publishedAt" })
            Assert.Equal(theirs.GetProperty(key).ValueKind, mine.GetProperty(key).ValueKind);
        foreach (var key in new[] { "id", "title", "summary", "authors", "upvotes", "publishedAt", "submittedOnDailyAt" })
            Assert.Equal(theirs.GetProperty("paper").GetProperty(key).ValueKind, mine.GetProperty("paper").GetProperty(key).ValueKind);
        Assert.Equal(JsonValueKind.String, mine.GetProperty("paper").GetProperty("authors")[0].GetProperty("name").ValueKind);

        // HF's own day round-trips with upvotes, code and submitter.
        var hfDay = theirs.GetProperty("paper").GetProperty("submittedOnDailyAt").GetString()![..10];
        var (_, hfBody) = await GetAsync($"/api/daily_papers?date={hfDay}");
        using var back = JsonDocument.Parse(hfBody);
        Assert.Equal(hf.RootElement.GetArrayLength(), back.RootElement.GetArrayLength());
        var byId = back.RootElement.EnumerateArray().ToDictionary(i => i.GetProperty("paper").GetProperty("id").GetString()!);
        foreach (var item in hf.RootElement.EnumerateArray())
        {
            var p = item.GetProperty("paper");
            var got = byId[p.GetProperty("id").GetString()!];
            Assert.Equal(p.GetProperty("upvotes").GetInt32(), got.GetProperty("paper").GetProperty("upvotes").GetInt32());
            Assert.Equal(item.GetProperty("numComments").GetInt32(), got.GetProperty("numComments").GetInt32());
            Assert.Equal(item.GetProperty("submittedBy").GetProperty("name").GetString(), got.GetProperty("submittedBy").GetProperty("name").GetString());
            if (p.TryGetProperty("githubRepo", out var repo) && repo.ValueKind == JsonValueKind.String)
                Assert.Equal(repo.GetString(), got.GetProperty("paper").GetProperty("githubRepo").GetString());
        }
        var upvotes = back.RootElement.EnumerateArray().Select(i => i.GetProperty("paper").GetProperty("upvotes").GetInt32()).ToList();
        Assert.Equal(upvotes.OrderByDescending(u => u), upvotes);
    }

    [Fact]
    public async Task Queries_too_long_or_without_letters_get_a_readable_400()
    {
        await ImportAsync(TestData.Listing("2025-03-20"));
        var (status, page) = await GetAsync("/search?q=" + new string('a', 10_000));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("The query is 10,000 characters long; the limit is 2,000.", page, StringComparison.Ordinal);
        foreach (var q in new[] { "%00", "%20%2B%2B%20--%20", "%E2%80%94" })
        {
            using var response = await _http.GetAsync(new Uri("/api/papers/search?q=" + q, UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains("no letters or digits", doc.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_key_hugging_face_always_writes_is_written_here_too()
    {
        await ImportAsync(TestData.Listing("2025-03-20"), TestData.HfDaily);
        using var hf = JsonDocument.Parse(await File.ReadAllTextAsync(TestData.HfDaily));
        var hfDay = hf.RootElement[0].GetProperty("paper").GetProperty("submittedOnDailyAt").GetString()![..10];
        // Papers HF put on its page (submitter, upvotes) and plain listings (none): a client must be able to read both.
        foreach (var url in new[] { $"/api/daily_papers?date={hfDay}", "/api/daily_papers?date=2025-03-20&limit=30&view=all" })
        {
            var (_, body) = await GetAsync(url);
            using var ours = JsonDocument.Parse(body);
            var missing = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var mine in ours.RootElement.EnumerateArray())
                AlwaysPresentKeys(hf.RootElement, "", mine, missing);
            Assert.True(missing.Count == 0, url + " lacks " + string.Join(", ", missing));
        }
        // Keys HF leaves out when it has no value stay out when Paperboy has none.
        var (_, plain) = await GetAsync("/api/daily_papers?date=2025-03-20&limit=30&view=all");
        Assert.DoesNotContain("\"githubRepo\":null", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("\"projectPage\":null", plain, StringComparison.Ordinal);
    }

    /// <summary>
    /// Walks HF's recorded answer: a key found in every object at a place (say, every item's <c>submittedBy</c>) must be
    /// in ours at that place; below it, only where ours has an object too (a null submitter has no name).
    /// </summary>
    private static void AlwaysPresentKeys(JsonElement hfItems, string path, JsonElement mine, SortedSet<string> missing)
    {
        var objects = hfItems.ValueKind == JsonValueKind.Array
            ? hfItems.EnumerateArray().SelectMany(Flatten).Where(e => e.ValueKind == JsonValueKind.Object).ToList()
            : [];
        if (objects.Count == 0 || mine.ValueKind != JsonValueKind.Object)
            return;
        var always = objects.Select(o => o.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal))
            .Aggregate((a, b) => { a.IntersectWith(b); return a; });
        foreach (var key in always)
        {
            if (!mine.TryGetProperty(key, out var value))
            {
                missing.Add(path + "." + key);
                continue;
            }
            var below = JsonSerializer.SerializeToElement(objects.Select(o => o.GetProperty(key)).ToList());
            foreach (var child in value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value])
                AlwaysPresentKeys(below, path + "." + key, child, missing);
        }
    }

    /// <summary>An element, or the elements of an array (authors is a list of objects).</summary>
    private static IEnumerable<JsonElement> Flatten(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : [e];

    [Theory]
    [InlineData("/api/daily_papers?date=2025-02-30", "date: '2025-02-30' is not a day of the calendar")]
    [InlineData("/api/daily_papers?date=2025-03-20&week=2025-W12", "give only one of date, week and month")]
    [InlineData("/api/daily_papers?limit=0", "limit:")]
    [InlineData("/api/daily_papers?p=-1", "p:")]
    [InlineData("/api/daily_papers?sort=random", "sort:")]
    [InlineData("/api/papers/..%2F..%2Fetc%2Fpasswd", "is not an arXiv id")]
    public async Task Bad_api_requests_get_problem_details(string url, string detail)
    {
        using var response = await _http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(detail, doc.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_paging_weeks_and_single_papers()
    {
        await ImportAsync(TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"));
        var seen = new HashSet<string>();
        for (var p = 0; ; p++)
        {
            var (_, body) = await GetAsync($"/api/daily_papers?date=2025-03-20&limit=100&p={p}&sort=publishedAt&view=all");
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.GetArrayLength() == 0)
                break;
            foreach (var item in doc.RootElement.EnumerateArray())
                Assert.True(seen.Add(item.GetProperty("paper").GetProperty("id").GetString()!));
        }
        Assert.Equal(211, seen.Count);

        var (_, week) = await GetAsync("/api/daily_papers?week=2025-W12&view=all");
        using (var doc = JsonDocument.Parse(week))
            Assert.Equal(50, doc.RootElement.GetArrayLength());

        var id = seen.First();
        var (status, one) = await GetAsync("/api/papers/" + id);
        Assert.Equal(HttpStatusCode.OK, status);
        using var paper = JsonDocument.Parse(one);
        // HF's shape: the paper object itself at the top level, Paperboy's extras beside its keys.
        Assert.Equal(id, paper.RootElement.GetProperty("id").GetString());
        Assert.False(paper.RootElement.TryGetProperty("paper", out _));
        Assert.Equal(JsonValueKind.Array, paper.RootElement.GetProperty("authors").ValueKind);
        Assert.Equal(JsonValueKind.Number, paper.RootElement.GetProperty("upvotes").ValueKind);
        Assert.Contains("2025-03-20", paper.RootElement.GetProperty("listingDays").EnumerateArray().Select(d => d.GetString()));
        using var missing = await _http.GetAsync(new Uri("/api/papers/2501.99999", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Members_are_unique_by_email_and_handle_ignoring_case_and_tokens_are_kept_as_hashes()
    {
        var users = (Core.Accounts.IUserStore)_factory.Services.GetService(typeof(Core.Accounts.IUserStore))!;
        var ada = await users.AddUserAsync("Ada@Example.org", "ada", Core.Accounts.UserRole.Admin);
        Assert.Equal(Core.Accounts.UserRole.Admin, ada.Role);
        var byCase = await Assert.ThrowsAsync<Core.Accounts.DuplicateUserException>(() => users.AddUserAsync("ada@example.ORG", "someone", Core.Accounts.UserRole.Member));
        Assert.Contains("email", byCase.Message, StringComparison.Ordinal);
        var byHandle = await Assert.ThrowsAsync<Core.Accounts.DuplicateUserException>(() => users.AddUserAsync("other@example.org", "ADA", Core.Accounts.UserRole.Member));
        Assert.Contains("handle", byHandle.Message, StringComparison.Ordinal);
        Assert.Equal(ada.Id, (await users.FindUserByEmailAsync("ADA@example.org"))?.Id);
        Assert.Single(await users.ListUsersAsync());

        var (token, hash) = Core.Accounts.ApiTokens.Create();
        Assert.StartsWith("pb_", token, StringComparison.Ordinal);
        await users.AddApiTokenAsync(ada.Id, hash);
        Assert.Equal(ada.Id, (await users.FindUserByApiTokenHashAsync(Core.Accounts.ApiTokens.Hash(token)))?.Id);
        Assert.Null(await users.FindUserByApiTokenHashAsync(token)); // the token itself is not what is stored
        Assert.Null(await users.FindUserByApiTokenHashAsync(Core.Accounts.ApiTokens.Hash(token + "x")));
    }

    [Fact]
    public async Task A_personal_api_token_says_who_the_request_is_and_a_wrong_one_is_refused()
    {
        var users = (Core.Accounts.IUserStore)_factory.Services.GetService(typeof(Core.Accounts.IUserStore))!;
        var ada = await users.AddUserAsync("ada@example.org", "ada", Core.Accounts.UserRole.Member);
        var (token, hash) = Core.Accounts.ApiTokens.Create();
        await users.AddApiTokenAsync(ada.Id, hash);

        async Task<(HttpStatusCode, string)> Me(string? bearer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
            if (bearer is not null)
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            using var response = await _http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var (status, body) = await Me(token);
        Assert.Equal(HttpStatusCode.OK, status);
        using (var doc = JsonDocument.Parse(body))
        {
            Assert.Equal("ada", doc.RootElement.GetProperty("handle").GetString());
            Assert.Equal("member", doc.RootElement.GetProperty("role").GetString());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Me(null)).Item1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Me(token[..^1] + (token[^1] == 'A' ? "B" : "A"))).Item1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Me("some-other-secret")).Item1);
    }

    [Fact]
    public void Every_part_of_the_store_is_the_one_store()
    {
        var services = _factory.Services;
        var store = services.GetService(typeof(Core.Papers.IPaperStore));
        Assert.NotNull(store);
        foreach (var part in new[] { typeof(Core.Papers.IPaperReader), typeof(Core.Papers.IImportStore), typeof(Core.Papers.IJobState), typeof(Core.Papers.IEmbeddingStore), typeof(Core.Papers.IStoreAdmin) })
            Assert.Same(store, services.GetService(part));
    }

    [Fact]
    public async Task Openapi_and_health_are_served()
    {
        var (status, body) = await GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/daily_papers", out _));
        // Similar papers and the error answers are documented, not only the happy path.
        Assert.True(paths.GetProperty("/api/papers/{id}/similar").GetProperty("get").GetProperty("responses").TryGetProperty("404", out _));
        Assert.True(paths.GetProperty("/api/papers/{id}").GetProperty("get").GetProperty("responses").TryGetProperty("404", out _));
        Assert.True(paths.GetProperty("/api/daily_papers").GetProperty("get").GetProperty("responses").TryGetProperty("400", out _));
        Assert.True(paths.GetProperty("/api/papers/index").GetProperty("post").GetProperty("responses").TryGetProperty("202", out _));
        // Old-style ids still reach similar papers through the catch-all.
        using var oldStyle = await _http.GetAsync(new Uri("/api/papers/hep-th/9901001/similar", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, oldStyle.StatusCode);
        var (hs, health) = await GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, hs);
        Assert.Contains(Provider, health, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cached_pages_show_new_imports()
    {
        await ImportAsync(TestData.Listing("2025-03-20"));
        var (_, before) = await GetAsync("/papers/date/2025-03-20?category=cs.RO");
        Assert.Contains("8 papers", before, StringComparison.Ordinal);
        using var dir = new TestData.TempDir();
        await ImportAsync(Importing.Write(dir, "2025-03-20.jsonl", Importing.ListingLine("2503.99999", "A new robot paper", categories: ["cs.RO"])));
        string after = "";
        for (var i = 0; i < 100 && !after.Contains("9 papers", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            (_, after) = await GetAsync("/papers/date/2025-03-20?category=cs.RO");
        }
        Assert.Contains("9 papers", after, StringComparison.Ordinal);
    }
}

public sealed class SqliteWebTests : WebTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresWebTests : WebTests
{
    protected override string Provider => "postgres";
}
