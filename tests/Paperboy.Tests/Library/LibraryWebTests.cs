using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Library;

/// <summary>
/// The library over HTTP on each provider: the cards' shared pages and the member's state, saving and tagging by
/// the API and by the forms, the last signal winning, private collections that do not leak, exports, and imports
/// (broken entries reported by line, a 20 MB upload refused). The clock is fixed at 2025-03-26 10:00 UTC.
/// </summary>
public abstract class LibraryWebTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private static readonly DateTimeOffset Start = new(2025, 3, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly TestClock _clock = new(Start);
    private TestStore _db = null!;
    private PaperboyFactory _factory = null!;
    private string[] _ids = [];

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        await Importing.ImportAsync(_db.Store, TestData.Listing("2025-03-20"));
        _factory = new PaperboyFactory(_db, new Dictionary<string, string?> { ["Mail:PollSeconds"] = "0.1", ["Web:ChangePollSeconds"] = "0" }, _clock);
        var listing = await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 6));
        _ids = [.. listing.Items.Select(i => i.Paper.Id)];
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<HttpResponseMessage> AsAsync(string token, HttpMethod method, string url, object? json = null)
    {
        using var http = _factory.CreateClient();
        using var request = MemberSessions.Bearer(method, url, token, json);
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> CookieAsync(HttpClient http, string csrf, HttpMethod method, string url, object? json = null)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        if (json is not null)
            request.Content = JsonContent.Create(json);
        return await http.SendAsync(request);
    }

    /// <summary>Posts a page's form: the token from the page at <paramref name="page"/>, then the fields to <paramref name="action"/>.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string page, string action, params (string Name, string Value)[] fields)
    {
        var html = await http.GetStringAsync(new Uri(page, UriKind.Relative));
        var token = MemberSessions.FormToken().Match(html).Groups[1].Value;
        Assert.NotEmpty(token);
        return await http.PostAsync(new Uri(action, UriKind.Relative),
            new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", token))));
    }

    [Fact]
    public async Task Cards_carry_the_same_buttons_for_everyone_and_the_state_call_marks_the_members_own()
    {
        const string day = "/papers/date/2025-03-20?view=all";
        using var anonymous = _factory.CreateClient();
        var shared = await anonymous.GetStringAsync(new Uri(day, UriKind.Relative));
        Assert.Contains($"<div class=\"library\" data-paper-id=\"{_ids[0]}\">", shared, StringComparison.Ordinal);
        Assert.Contains($"action=\"/library/papers/{_ids[0]}\"", shared, StringComparison.Ordinal);

        using var ada = await MemberSessions.SignUpAsync(_factory, "ada");
        // A cookie write without the antiforgery header is refused; with it, it is done.
        using (var refused = await ada.PostAsync(new Uri($"/api/me/library/papers/{_ids[0]}", UriKind.Relative), null))
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var csrf = await MemberSessions.CsrfAsync(ada);
        var saved = await JsonAsync(await CookieAsync(ada, csrf, HttpMethod.Post, $"/api/me/library/papers/{_ids[0]}", new { tags = new[] { "ML", "to read" } }));
        Assert.Equal(["ML", "to read"], saved.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        await JsonAsync(await CookieAsync(ada, csrf, HttpMethod.Post, $"/api/me/library/papers/{_ids[1]}/not-interested"));

        // The listing is the same page for her (cached and shared); the state call tells her script what is hers.
        Assert.Equal(shared, await ada.GetStringAsync(new Uri(day, UriKind.Relative)));
        var state = await JsonAsync(await ada.GetAsync(new Uri($"/api/me/state?ids={_ids[0]},{_ids[1]},{_ids[2]}", UriKind.Relative)));
        var marks = state.GetProperty("library").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
        Assert.Equal(2, marks.Count);
        Assert.True(marks[_ids[0]].GetProperty("saved").GetBoolean());
        Assert.True(marks[_ids[1]].GetProperty("notInterested").GetBoolean());
        Assert.Equal(["ML", "to read"], state.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // The paper page carries the buttons and the citation links; the library page lists the save with its tags.
        var paper = await ada.GetStringAsync(new Uri("/papers/" + _ids[0], UriKind.Relative));
        Assert.Contains($"data-paper-id=\"{_ids[0]}\"", paper, StringComparison.Ordinal);
        Assert.Contains($"href=\"/papers/{_ids[0]}/export.bib\"", paper, StringComparison.Ordinal);
        var library = System.Net.WebUtility.HtmlDecode(await ada.GetStringAsync(new Uri("/library?tag=ml", UriKind.Relative)));
        Assert.Contains("1 paper</span> tagged “ml”", library, StringComparison.Ordinal);
        Assert.Contains("href=\"/library/export.bib?tag=ml\"", library, StringComparison.Ordinal);
        using (var signedOut = await anonymous.GetAsync(new Uri("/library", UriKind.Relative)))
            Assert.Equal("/sign-in", signedOut.RequestMessage!.RequestUri!.AbsolutePath); // the client followed the redirect
    }

    [Fact]
    public async Task Tags_come_and_go_and_the_last_of_save_and_not_interested_wins_by_api_and_by_form()
    {
        var (_, token) = await MemberSessions.WithTokenAsync(_factory.Services, "ada");
        var (a, b) = (_ids[0], _ids[1]);
        await JsonAsync(await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{a}", new { tags = new[] { "Diffusion", "to read" } }));
        await JsonAsync(await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{b}", new { tags = new[] { "diffusion" } }));
        var tags = await JsonAsync(await AsAsync(token, HttpMethod.Get, "/api/me/library/tags"));
        Assert.Equal([("Diffusion", 2), ("to read", 1)], tags.EnumerateArray().Select(t => (t.GetProperty("name").GetString(), t.GetProperty("papers").GetInt32())));
        var untagged = await JsonAsync(await AsAsync(token, HttpMethod.Delete, $"/api/me/library/papers/{a}/tags/{Uri.EscapeDataString("TO READ")}"));
        Assert.Equal(["Diffusion"], untagged.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var replaced = await JsonAsync(await AsAsync(token, HttpMethod.Put, $"/api/me/library/papers/{a}/tags", new { tags = new[] { "gan" } }));
        Assert.Equal(["gan"], replaced.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        using (var bad = await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{a}", new { tags = new[] { "a/b" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("cannot hold a comma, a slash", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // Twenty tags on a paper at most, counting those it has.
        await JsonAsync(await AsAsync(token, HttpMethod.Put, $"/api/me/library/papers/{b}/tags", new { tags = Enumerable.Range(1, 20).Select(i => "t" + i).ToArray() }));
        using (var tooMany = await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{b}", new { tags = new[] { "one more" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
            Assert.Contains("at most 20 tags on a paper, not 21", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var unknown = await AsAsync(token, HttpMethod.Post, "/api/me/library/papers/2503.99999"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // "Not interested" on a saved paper, then saved again: the save wins, and the other way round.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var dismissed = await JsonAsync(await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{a}/not-interested"));
        Assert.Equal((false, true), (dismissed.GetProperty("saved").GetBoolean(), dismissed.GetProperty("notInterested").GetBoolean()));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var again = await JsonAsync(await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{a}"));
        Assert.Equal((true, false), (again.GetProperty("saved").GetBoolean(), again.GetProperty("notInterested").GetBoolean()));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await JsonAsync(await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{b}/not-interested"));
        var signals = (await JsonAsync(await AsAsync(token, HttpMethod.Get, "/api/me/library/signals"))).EnumerateArray()
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => (s.GetProperty("positive").GetBoolean(), s.GetProperty("source").GetString()));
        Assert.Equal((true, "Saved"), signals[a]);
        Assert.Equal((false, "NotInterested"), signals[b]);

        // The same without scripts, by the page's forms: not interested, then saved with tags.
        using var bob = await MemberSessions.SignUpAsync(_factory, "bob");
        var page = $"/library/papers/{_ids[2]}?do=not-interested&ReturnUrl=%2Fpapers%2Fdate%2F2025-03-20";
        using (var marked = await PostFormAsync(bob, page, $"/library/papers/{_ids[2]}?handler=NotInterested&ReturnUrl=%2Fpapers%2Fdate%2F2025-03-20"))
        {
            Assert.Equal(HttpStatusCode.Redirect, marked.StatusCode);
            var next = System.Net.WebUtility.HtmlDecode(await bob.GetStringAsync(new Uri(marked.Headers.Location!.OriginalString, UriKind.RelativeOrAbsolute)));
            Assert.Contains("Marked “not interested”", next, StringComparison.Ordinal);
            Assert.Contains("href=\"/papers/date/2025-03-20\"", next, StringComparison.Ordinal); // the way back
        }
        _clock.Advance(TimeSpan.FromMinutes(1));
        using (var savedByForm = await PostFormAsync(bob, page, $"/library/papers/{_ids[2]}?handler=Save", ("Tags", "reading group, Later")))
            Assert.Equal(HttpStatusCode.Redirect, savedByForm.StatusCode);
        var form = await bob.GetStringAsync(new Uri($"/library/papers/{_ids[2]}", UriKind.Relative));
        Assert.Contains("value=\"Later, reading group\"", form, StringComparison.Ordinal); // A to Z
        Assert.Contains("id=\"mark-not-interested\"", form, StringComparison.Ordinal);
        var bobSignals = await JsonAsync(await bob.GetAsync(new Uri("/api/me/library/signals", UriKind.Relative)));
        Assert.True(Assert.Single(bobSignals.EnumerateArray()).GetProperty("positive").GetBoolean());
        using (var badTags = await PostFormAsync(bob, page, $"/library/papers/{_ids[2]}?handler=Save", ("Tags", new string('x', 41))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badTags.StatusCode);
            Assert.Contains("longer than 40 characters", await badTags.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_private_collection_is_not_found_for_other_members_and_anonymous_readers()
    {
        var (_, ada) = await MemberSessions.WithTokenAsync(_factory.Services, "ada");
        var (_, bob) = await MemberSessions.WithTokenAsync(_factory.Services, "bob");
        using (var created = await AsAsync(ada, HttpMethod.Post, "/api/collections", new { name = "Secret reading", description = "Mine & only mine" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("/collections/ada/secret-reading", created.Headers.Location!.OriginalString);
        }
        await JsonAsync(await AsAsync(ada, HttpMethod.Post, "/api/collections/ada/secret-reading/items", new { paperId = _ids[0], note = "Section 3 <b>matters</b>" }));
        const string url = "/collections/ada/secret-reading";

        using var anonymous = _factory.CreateClient();
        async Task<(HttpStatusCode, string)> PageAsync(HttpClient http, string path)
        {
            using var r = await http.GetAsync(new Uri(path, UriKind.Relative));
            return (r.StatusCode, (await r.Content.ReadAsStringAsync()).Replace(path.Split('/')[^1], "SLUG", StringComparison.Ordinal));
        }
        // The private one answers exactly as a collection that does not exist: nothing tells them apart.
        var hidden = await PageAsync(anonymous, url);
        Assert.Equal(HttpStatusCode.NotFound, hidden.Item1);
        Assert.Equal(await PageAsync(anonymous, "/collections/ada/no-such-list"), hidden);
        using var bobBrowser = await MemberSessions.SignUpAsync(_factory, "bobby");
        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync(bobBrowser, url)).Item1);
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, "/api" + url, null),
            (HttpMethod.Get, url + "/export.bib", null),
            (HttpMethod.Patch, "/api" + url, new { name = "Mine now" }),
            (HttpMethod.Delete, "/api" + url, null),
            (HttpMethod.Post, "/api" + url + "/items", new { paperId = _ids[1] }),
            (HttpMethod.Delete, "/api" + url + "/items/" + _ids[0], null),
            (HttpMethod.Put, "/api" + url + "/order", new { paperIds = new[] { _ids[0] } }),
        })
        {
            using var r = await AsAsync(bob, method, path, body);
            Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)r.StatusCode}");
        }
        using (var anonymousApi = await anonymous.GetAsync(new Uri("/api" + url, UriKind.Relative)))
            Assert.Equal(HttpStatusCode.NotFound, anonymousApi.StatusCode);
        // Bob's form posts to Ada's page change nothing either.
        using (var post = await PostFormAsync(bobBrowser, "/collections", url + "?handler=Remove", ("PaperId", _ids[0])))
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);

        // Ada sees it, her note escaped; once public, anyone reads it (and its export).
        using var adaBrowser = MemberSessions.Browser(_factory);
        adaBrowser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ada);
        var own = await adaBrowser.GetStringAsync(new Uri(url, UriKind.Relative));
        Assert.Contains("Section 3 &lt;b&gt;matters&lt;/b&gt;", own, StringComparison.Ordinal);
        Assert.Contains("Private collection", own, StringComparison.Ordinal);
        var items = await JsonAsync(await AsAsync(ada, HttpMethod.Get, "/api" + url));
        Assert.Equal(_ids[0], Assert.Single(items.GetProperty("items").EnumerateArray()).GetProperty("paper").GetProperty("id").GetString());
        await JsonAsync(await AsAsync(ada, HttpMethod.Patch, "/api" + url, new { @public = true }));
        var open = await anonymous.GetStringAsync(new Uri(url, UriKind.Relative));
        Assert.Contains("Public collection", open, StringComparison.Ordinal);
        Assert.Contains("Mine &amp; only mine", open, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Remove", open, StringComparison.Ordinal); // no owner's forms for readers
        Assert.Contains("annote", await anonymous.GetStringAsync(new Uri(url + "/export.bib", UriKind.Relative)), StringComparison.Ordinal);
        var profile = await anonymous.GetStringAsync(new Uri("/users/ada", UriKind.Relative));
        Assert.Contains("href=\"/collections/ada/secret-reading\"", profile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collections_keep_their_order_and_notes_through_the_api_and_the_forms()
    {
        using var ada = await MemberSessions.SignUpAsync(_factory, "ada");
        using (var created = await PostFormAsync(ada, "/collections", "/collections?handler=Create", ("Name", "Week 12: diffusion"), ("Public", "true")))
        {
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
            Assert.Equal("/collections/ada/week-12-diffusion", created.Headers.Location!.OriginalString);
        }
        const string url = "/collections/ada/week-12-diffusion";
        var csrf = await MemberSessions.CsrfAsync(ada);
        foreach (var id in _ids[..4])
            await JsonAsync(await CookieAsync(ada, csrf, HttpMethod.Post, "/api" + url + "/items", new { paperId = "https://arxiv.org/abs/" + id + "v1" }));
        async Task<string[]> OrderAsync() =>
            [.. (await JsonAsync(await ada.GetAsync(new Uri("/api" + url, UriKind.Relative)))).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("paper").GetProperty("id").GetString()!)];
        Assert.Equal(_ids[..4], await OrderAsync());

        var order = new[] { _ids[3], _ids[1], _ids[0], _ids[2] };
        await JsonAsync(await CookieAsync(ada, csrf, HttpMethod.Put, "/api" + url + "/order", new { paperIds = order }));
        Assert.Equal(order, await OrderAsync());
        using (var partial = await CookieAsync(ada, csrf, HttpMethod.Put, "/api" + url + "/order", new { paperIds = order[..2] }))
            Assert.Equal(HttpStatusCode.BadRequest, partial.StatusCode);
        var moved = await JsonAsync(await CookieAsync(ada, csrf, HttpMethod.Patch, "/api" + url + "/items/" + _ids[2], new { position = 0, note = "Start here: $\\alpha$ & all" }));
        Assert.Equal(0, moved.GetProperty("item").GetProperty("position").GetInt32());
        Assert.Equal([_ids[2], _ids[3], _ids[1], _ids[0]], await OrderAsync());

        // Without scripts: "Down" on the first paper, a note by the form, a removal.
        using (var down = await PostFormAsync(ada, url, url + "?handler=Move", ("PaperId", _ids[2]), ("Position", "1")))
            Assert.Equal(HttpStatusCode.Redirect, down.StatusCode);
        using (var note = await PostFormAsync(ada, url, url + "?handler=Note", ("PaperId", _ids[1]), ("Note", "Skim only")))
            Assert.Equal(HttpStatusCode.Redirect, note.StatusCode);
        using (var removed = await PostFormAsync(ada, url, url + "?handler=Remove", ("PaperId", _ids[0])))
            Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal([_ids[3], _ids[2], _ids[1]], await OrderAsync());
        var items = (await JsonAsync(await ada.GetAsync(new Uri("/api" + url, UriKind.Relative)))).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], items.Select(i => i.GetProperty("position").GetInt32()));
        Assert.Equal([null, "Start here: $\\alpha$ & all", "Skim only"], items.Select(i => i.GetProperty("note").GetString()));
        var page = await ada.GetStringAsync(new Uri(url, UriKind.Relative));
        Assert.True(page.IndexOf(_ids[3], StringComparison.Ordinal) < page.IndexOf(_ids[2], StringComparison.Ordinal));

        // The collection's export keeps its order and notes.
        var bib = BibTexParser.Parse(await ada.GetStringAsync(new Uri(url + "/export.bib", UriKind.Relative)));
        Assert.Equal([_ids[3], _ids[2], _ids[1]], bib.Entries.Select(e => e["eprint"]));
        Assert.Equal("Start here: $\\alpha$ \\& all", bib.Entries[1]["annote"]);
        using (var delete = await PostFormAsync(ada, url, url + "?handler=Delete", ("ConfirmName", "Week 12: diffusion")))
            Assert.Equal(HttpStatusCode.Redirect, delete.StatusCode);
        using (var gone = await ada.GetAsync(new Uri(url, UriKind.Relative)))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Exports_have_their_content_types_and_file_names_and_read_back()
    {
        using var http = _factory.CreateClient();
        foreach (var (ext, type) in new[] { ("bib", "application/x-bibtex"), ("ris", "application/x-research-info-systems"), ("json", "application/vnd.citationstyles.csl+json") })
        {
            using var r = await http.GetAsync(new Uri($"/papers/{_ids[0]}/export.{ext}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(type, r.Content.Headers.ContentType!.MediaType);
            Assert.Equal("utf-8", r.Content.Headers.ContentType.CharSet);
            Assert.Equal($"{_ids[0]}.{ext}", r.Content.Headers.ContentDisposition!.FileName);
            Assert.Equal("attachment", r.Content.Headers.ContentDisposition.DispositionType);
        }
        using (var unknownFormat = await http.GetAsync(new Uri($"/papers/{_ids[0]}/export.pdf", UriKind.Relative)))
            Assert.Equal(HttpStatusCode.NotFound, unknownFormat.StatusCode);
        using (var unknownPaper = await http.GetAsync(new Uri("/papers/2503.99999/export.bib", UriKind.Relative)))
            Assert.Equal(HttpStatusCode.NotFound, unknownPaper.StatusCode);

        // A day: arXiv's listing (view=all) has every paper of the page; the Daily is empty and says how to get the rest.
        var listing = await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 1000));
        using (var day = await http.GetAsync(new Uri("/papers/date/2025-03-20/export.bib?view=all", UriKind.Relative)))
        {
            Assert.Equal("arxiv-2025-03-20.bib", day.Content.Headers.ContentDisposition!.FileName);
            var file = BibTexParser.Parse(await day.Content.ReadAsStringAsync());
            Assert.Empty(file.Problems);
            Assert.Equal(listing.Items.Select(i => i.Paper.Id), file.Entries.Select(e => e["eprint"]));
        }
        using (var daily = await http.GetAsync(new Uri("/papers/date/2025-03-20/export.ris", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, daily.StatusCode);
            Assert.Contains("?view=all", await daily.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var page = await http.GetStringAsync(new Uri("/papers/date/2025-03-20?view=all", UriKind.Relative));
        Assert.Contains("href=\"/papers/date/2025-03-20/export.bib?view=all\"", page, StringComparison.Ordinal);
        using (var badDay = await http.GetAsync(new Uri("/papers/date/2025-02-30/export.bib", UriKind.Relative)))
            Assert.Equal(HttpStatusCode.BadRequest, badDay.StatusCode);

        // A member's library, one tag's, with the tags as keywords; signed out it asks for a sign-in.
        var (_, token) = await MemberSessions.WithTokenAsync(_factory.Services, "ada");
        await JsonAsync(await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{_ids[0]}", new { tags = new[] { "R&D" } }));
        await JsonAsync(await AsAsync(token, HttpMethod.Post, $"/api/me/library/papers/{_ids[1]}", new { tags = new[] { "other" } }));
        using (var mine = await AsAsync(token, HttpMethod.Get, "/library/export.bib?tag=r%26d"))
        {
            Assert.Equal("library-r-d.bib", mine.Content.Headers.ContentDisposition!.FileName);
            var entry = Assert.Single(BibTexParser.Parse(await mine.Content.ReadAsStringAsync()).Entries);
            Assert.Equal((_ids[0], "R\\&D"), (entry["eprint"], entry["keywords"]));
        }
        using var csl = JsonDocument.Parse(await (await AsAsync(token, HttpMethod.Get, "/library/export.json")).Content.ReadAsStringAsync());
        Assert.Equal(2, csl.RootElement.GetArrayLength());
        using (var signedOut = await http.GetAsync(new Uri("/library/export.bib", UriKind.Relative)))
        {
            Assert.Equal("/sign-in", signedOut.RequestMessage!.RequestUri!.AbsolutePath); // the client followed the redirect
            Assert.Contains("name=\"ReturnUrl\" value=\"/library/export.bib\"", await signedOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private string BrokenFile() => string.Join("\n",
        "% exported by hand",                                                                          // 1
        $"@article{{one, title = {{First}}, eprint = {{{_ids[0]}v2}}, archivePrefix = {{arXiv}}}}",    // 2
        $"@misc{{two, title = {{Second}}, url = {{https://arxiv.org/pdf/{_ids[1]}.pdf}}}}",            // 3
        "@misc{broken, title {Missing equals}}",                                                       // 4: broken
        $"@misc{{three, doi = {{10.48550/arXiv.{_ids[2]}}}}}",                                         // 5
        "@misc{unclosed, title = {Never closed, eprint = {2503.00001}",                               // 6: broken
        "@misc{elsewhere, eprint = {2503.99999}}",                                                     // 7: not in Paperboy
        "@book{knuth, title = {The Art of Computer Programming}, year = 1968}",                        // 8: no arXiv id
        $"@misc{{again, eprint = {{{_ids[0]}}}}}");                                                    // 9: the same paper again

    [Fact]
    public async Task A_bibtex_file_with_broken_entries_imports_the_good_ones_and_reports_the_bad_by_line()
    {
        // By the page's form, with a tag.
        using var ada = await MemberSessions.SignUpAsync(_factory, "ada");
        var html = await ada.GetStringAsync(new Uri("/library", UriKind.Relative));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(MemberSessions.FormToken().Match(html).Groups[1].Value), "__RequestVerificationToken" },
            { new StringContent("from bib"), "tag" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(BrokenFile())), "file", "refs.bib" },
        };
        using var posted = await ada.PostAsync(new Uri("/library/import", UriKind.Relative), form);
        var report = System.Net.WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync());
        Assert.True(posted.StatusCode == HttpStatusCode.OK, report);
        Assert.Contains("3 papers saved with the tag “from bib”", report, StringComparison.Ordinal);
        Assert.Contains("1 not in Paperboy", report, StringComparison.Ordinal);
        Assert.Contains("<tr><td>4</td>", report, StringComparison.Ordinal);
        Assert.Contains("<tr><td>6</td>", report, StringComparison.Ordinal);
        Assert.Contains("href=\"/papers/submit?id=2503.99999\"", report, StringComparison.Ordinal);
        var library = System.Net.WebUtility.HtmlDecode(await ada.GetStringAsync(new Uri("/library?tag=from%20bib", UriKind.Relative)));
        Assert.Contains("3 papers</span> tagged", library, StringComparison.Ordinal);

        // By the API, as the raw body: the same file again finds them saved already.
        var (_, token) = await MemberSessions.WithTokenAsync(_factory.Services, "bob");
        using var request = MemberSessions.Bearer(HttpMethod.Post, "/api/me/library/import?tag=bib", token);
        request.Content = new StringContent(BrokenFile(), Encoding.UTF8, "application/x-bibtex");
        using var http = _factory.CreateClient();
        var json = await JsonAsync(await http.SendAsync(request));
        Assert.Equal((3, 0, 1, 1, 1), (json.GetProperty("saved").GetInt32(), json.GetProperty("alreadySaved").GetInt32(),
            json.GetProperty("notInPaperboy").GetInt32(), json.GetProperty("noArxivId").GetInt32(), json.GetProperty("duplicates").GetInt32()));
        Assert.Equal([4, 6], json.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("line").GetInt32()));
        Assert.Contains("expected '=' after the field name 'title'", json.GetProperty("problems")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        var entries = json.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => (e.GetProperty("line").GetInt32(), e.GetProperty("outcome").GetString()));
        Assert.Equal((2, "saved"), entries["one"]);
        Assert.Equal((3, "saved"), entries["two"]);
        Assert.Equal((5, "saved"), entries["three"]);
        Assert.Equal((7, "not-in-paperboy"), entries["elsewhere"]);
        Assert.Equal((8, "no-arxiv-id"), entries["knuth"]);
        Assert.Equal((9, "duplicate"), entries["again"]);
        Assert.Equal(3, (await _factory.Services.GetRequiredService<ILibraryStore>().GetSavedAsync((await _factory.Services.GetRequiredService<Core.Accounts.IUserStore>().FindUserByEmailAsync("bob@example.org"))!.Id, "BIB", 0, 10)).Total);
    }

    [Fact]
    public async Task A_20_MB_upload_is_refused_with_413_and_a_message_by_the_api_and_the_form()
    {
        var big = new byte[20 * 1024 * 1024];
        Array.Fill(big, (byte)'%');
        var (_, token) = await MemberSessions.WithTokenAsync(_factory.Services, "bob");
        using var http = _factory.CreateClient();
        using (var request = MemberSessions.Bearer(HttpMethod.Post, "/api/me/library/import", token))
        {
            request.Content = new ByteArrayContent(big);
            using var r = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
            Assert.Contains("That upload is 20 MB; an import takes a BibTeX file of at most 5 MB", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // Without a length (chunked), reading stops at the limit.
        using (var request = MemberSessions.Bearer(HttpMethod.Post, "/api/me/library/import", token))
        {
            request.Content = new StreamContent(new MemoryStream(big));
            request.Headers.TransferEncodingChunked = true;
            using var r = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
            Assert.Contains("at most 5 MB", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var ada = await MemberSessions.SignUpAsync(_factory, "ada");
        var html = await ada.GetStringAsync(new Uri("/library", UriKind.Relative));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(MemberSessions.FormToken().Match(html).Groups[1].Value), "__RequestVerificationToken" },
            { new ByteArrayContent(big), "file", "huge.bib" },
        };
        using var posted = await ada.PostAsync(new Uri("/library/import", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, posted.StatusCode);
        Assert.Contains("That upload is 20 MB; an import takes a BibTeX file of at most 5 MB", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("0 papers", await ada.GetStringAsync(new Uri("/library", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Library_writes_share_a_per_member_budget()
    {
        await using var strict = new PaperboyFactory(_db, new Dictionary<string, string?> { ["Community:LibraryWritesPerMinute"] = "3" }, _clock);
        var (_, token) = await MemberSessions.WithTokenAsync(strict.Services, "ada");
        using var http = strict.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"/api/me/library/papers/{_ids[i]}", token));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var refused = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Post, "/api/collections", token, new { name = "One more" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
    }
}

public sealed class SqliteLibraryWebTests : LibraryWebTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresLibraryWebTests : LibraryWebTests
{
    protected override string Provider => "postgres";
}
