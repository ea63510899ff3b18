using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Digests;
using Paperboy.Core.Jobs;
using Paperboy.Core.Mail;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;
using Paperboy.Web;

namespace Paperboy.Tests.Digests;

/// <summary>Subscriptions and digest runs against a real SMTP server, with the clock in the test's hands.</summary>
public abstract class DigestRunTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private static readonly DateTimeOffset Subscribed = new(2025, 3, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly TestClock _clock = new(Subscribed);
    private TestStore _db = null!;
    private TestSmtp _smtp = null!;
    private PaperboyFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        await Importing.ImportAsync(_db.Store, TestData.Listing("2025-03-20"), TestData.Listing("2025-03-21"));
        _smtp = TestSmtp.Start();
        var settings = _smtp.Settings();
        settings["Digest:Enabled"] = "false"; // the test runs the job itself
        settings["Web:PublicUrl"] = "https://papers.example.org";
        _factory = new PaperboyFactory(_db, settings, _clock);
        await _factory.Services.GetRequiredService<Core.Search.SearchEngine>().Upkeep.CatchUpAsync(null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<Subscription> SubscribeAsync(string email, SubscriptionChoices choices)
    {
        var store = _factory.Services.GetRequiredService<ISubscriptionStore>();
        var secret = ApiTokens.NewSecret();
        var s = await store.RequestAsync(email, null, choices, ApiTokens.Hash(secret), _clock.GetUtcNow(), x => new OutboxMessage("subscribe", email, "confirm", "confirm") { }, CancellationToken.None);
        return (await store.ConfirmAsync(s.Id, ApiTokens.Hash(secret), _clock.GetUtcNow()))!;
    }

    private async Task<int> SettleAsync(int expected, string subject = "Paperboy", int? minimum = null)
    {
        var sender = _factory.Services.GetRequiredService<OutboxSender>();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (_smtp.Received.Count(m => (m.Subject ?? "").StartsWith(subject, StringComparison.Ordinal)) < Math.Max(expected, minimum ?? 0) && DateTime.UtcNow < until)
        {
            sender.Wake();
            await Task.Delay(100);
        }
        await Task.Delay(500);
        return _smtp.Received.Count(m => (m.Subject ?? "").StartsWith(subject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_thousand_subscribers_get_one_digest_each_when_something_is_new_and_a_second_run_sends_none()
    {
        var day2 = (await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 21)), null, ListingSort.Published, 0, 5))).Items.Select(i => i.Paper).ToList();
        var author = day2[0].Authors[0];
        // Mixed choices: a quarter follow only trending (nothing was featured: their digests are empty, not sent).
        var mixes = new[]
        {
            new SubscriptionChoices { Trending = true },
            new SubscriptionChoices { Trending = false, Categories = ["cs.CL"] },
            new SubscriptionChoices { Trending = false, Searches = [new SavedSearch("language models", "keyword", Limit: 5)], TimeZone = "Europe/Paris", Hour = 8 },
            new SubscriptionChoices { Trending = true, Authors = [author], Frequency = "daily", TimeZone = "America/New_York", Hour = 2 },
        };
        for (var i = 0; i < 1000; i++)
            await SubscribeAsync($"reader{i}@example.org", mixes[i % 4]);
        await SettleAsync(0, "confirm", 1000); // the confirmation mails go first

        // The next morning, after every subscriber's hour.
        _clock.Advance(TimeSpan.FromHours(20)); // 2025-03-21 08:00 UTC
        var job = _factory.Services.GetRequiredService<DigestJob>();
        var site = _factory.Services.GetRequiredService<SiteUrl>().Base(null);
        var first = (await job.RunAsync(_clock.GetUtcNow(), site, dryRun: false, onlyTo: null, CancellationToken.None))!;
        Assert.Equal((1000, 750, 250, 0), (first.Considered, first.Queued, first.Empty, first.AlreadyDone));
        Assert.Equal(750, await SettleAsync(750));
        var digests = _smtp.Received.Where(m => (m.Subject ?? "").StartsWith("Paperboy", StringComparison.Ordinal)).ToList();
        Assert.All(digests.GroupBy(m => m.To.Mailboxes.Single().Address), g => Assert.Single(g));
        Assert.DoesNotContain(digests, m => int.Parse(m.To.Mailboxes.Single().Address[6..^12], System.Globalization.CultureInfo.InvariantCulture) % 4 == 0);

        // What a digest carries: the right section, both parts, and the list headers.
        var byAuthor = digests.First(m => m.To.Mailboxes.Single().Address == "reader3@example.org");
        Assert.Contains("By " + author, byAuthor.TextBody ?? "", StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(day2[0].Title), byAuthor.HtmlBody ?? "", StringComparison.Ordinal);
        var unsubscribe = byAuthor.Headers["List-Unsubscribe"] ?? "";
        Assert.Matches("^<https://papers.example.org/unsubscribe\\?token=[^>]+>$", unsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", byAuthor.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("Paperboy digest <digest.papers.example.org>", byAuthor.Headers["List-Id"]);
        Assert.Contains("https://papers.example.org/subscription?token=", byAuthor.TextBody ?? "", StringComparison.Ordinal);

        // The same period again: nobody is composed twice.
        var second = (await job.RunAsync(_clock.GetUtcNow(), site, dryRun: false, onlyTo: null, CancellationToken.None))!;
        Assert.Equal((0, 0, 1000), (second.Queued, second.Empty, second.AlreadyDone));
        Assert.Equal(750, await SettleAsync(751));

        // One-click unsubscribe: a cookie-less POST to the header's address; a GET only shows the button.
        var url = new Uri(unsubscribe.Trim('<', '>'));
        using var http = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        var page = await http.GetAsync(new Uri(url.PathAndQuery, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var store = _factory.Services.GetRequiredService<ISubscriptionStore>();
        var reader3 = (await store.ListActiveAsync(0, 1000)).Single(s => s.Email == "reader3@example.org");
        Assert.True(reader3.Active);
        using var oneClick = await http.PostAsync(new Uri(url.PathAndQuery, UriKind.Relative), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.False((await store.GetAsync(reader3.Id))!.Active);
        // A token altered by one character names nobody.
        var forged = url.PathAndQuery[..^2] + (url.PathAndQuery[^2] == 'A' ? "B" : "A") + url.PathAndQuery[^1];
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri(forged, UriKind.Relative), null)).StatusCode);
        Assert.Equal(999, (await store.ListActiveAsync(0, 2000)).Count);
    }

    [Fact]
    public async Task A_followed_paper_that_gains_a_code_repository_is_in_the_next_digest_once()
    {
        var paper = (await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 1))).Items[0].Paper;
        Assert.Null(paper.CodeUrl);
        await SubscribeAsync("follower@example.org", new SubscriptionChoices { Trending = false, Papers = [paper.Id] });
        var job = _factory.Services.GetRequiredService<DigestJob>();
        var site = _factory.Services.GetRequiredService<SiteUrl>().Base(null);
        _clock.Advance(TimeSpan.FromHours(20));
        Assert.Equal(1, (await job.RunAsync(_clock.GetUtcNow(), site, dryRun: false, onlyTo: null, CancellationToken.None))!.Empty); // nothing new yet

        // The community links the code (a Hugging Face record of the same paper, text unchanged).
        const string Repo = "https://github.com/example/paper-code";
        await Core.Import.ImportBatchWriter.WriteAsync(_db.Store, [new Core.Import.IncomingPaper
        {
            Id = paper.Id, Title = paper.Title, Authors = paper.Authors, Abstract = paper.Abstract, CodeUrl = Repo,
            ListingDay = new DateOnly(2025, 3, 21), Source = "hf-daily",
        }], CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(1));
        var run = (await job.RunAsync(_clock.GetUtcNow(), site, dryRun: false, onlyTo: null, CancellationToken.None))!;
        Assert.Equal(1, run.Queued);
        Assert.Equal(1, await SettleAsync(1));
        var mail = Assert.Single(_smtp.Received, m => (m.Subject ?? "").StartsWith("Paperboy", StringComparison.Ordinal));
        Assert.Contains("Code repository added: " + Repo, mail.TextBody ?? "", StringComparison.Ordinal);

        // Said once: the day after, the same link is not news.
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, (await job.RunAsync(_clock.GetUtcNow(), site, dryRun: false, onlyTo: null, CancellationToken.None))!.Empty);
    }

    [Fact]
    public async Task A_lease_has_one_holder_until_it_runs_out_and_a_second_run_waits_for_it()
    {
        var leases = _factory.Services.GetRequiredService<IJobLeases>();
        var t = _clock.GetUtcNow();
        Assert.True(await leases.TryTakeAsync("digest", "node-a", t, t.AddMinutes(10)));
        Assert.False(await leases.TryTakeAsync("digest", "node-b", t.AddMinutes(5), t.AddMinutes(15)));
        Assert.True(await leases.TryTakeAsync("digest", "node-a", t.AddMinutes(5), t.AddMinutes(15))); // renewed by its holder
        // While node-a holds it, the job here does nothing and says so.
        Assert.Null(await _factory.Services.GetRequiredService<DigestJob>().RunAsync(t, "https://papers.example.org", dryRun: false, onlyTo: null, CancellationToken.None));
        Assert.True(await leases.TryTakeAsync("digest", "node-b", t.AddMinutes(16), t.AddMinutes(26))); // node-a died: taken over
        await leases.ReleaseAsync("digest", "node-a"); // a late release by the old holder changes nothing
        Assert.False(await leases.TryTakeAsync("digest", "node-c", t.AddMinutes(17), t.AddMinutes(27)));
    }

    [Fact]
    public async Task Subscribing_takes_a_confirmation_link_once_and_bad_choices_are_named()
    {
        using var http = _factory.CreateClient();
        using var ok = await http.PostAsJsonAsync("/api/subscriptions", new { email = "ada@example.org", frequency = "weekly", categories = new[] { "cs.CL" }, searches = new[] { new { q = "diffusion", mode = "keyword" } }, timeZone = "Europe/Paris" });
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        var mail = await _smtp.WaitForAsync("ada@example.org");
        var link = new Uri(System.Text.RegularExpressions.Regex.Match(mail.TextBody ?? "", @"https?://\S+/subscribe/confirm\S+").Value);
        Assert.StartsWith("https://papers.example.org/", link.ToString(), StringComparison.Ordinal);
        var store = _factory.Services.GetRequiredService<ISubscriptionStore>();
        Assert.Empty(await store.ListActiveAsync(0, 10)); // nothing until the link is opened

        using var browser = MemberSessions.Browser(_factory);
        var confirmPage = await browser.GetStringAsync(new Uri(link.PathAndQuery, UriKind.Relative));
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        async Task<HttpResponseMessage> ConfirmAsync(string secret) => await browser.PostAsync(new Uri("/subscribe/confirm", UriKind.Relative), new FormUrlEncodedContent(
            [new("Id", query["id"]!), new("Secret", secret), new("__RequestVerificationToken", MemberSessions.FormToken().Match(confirmPage).Groups[1].Value)]));
        using (var forged = await ConfirmAsync(query["secret"]![..^1] + "x"))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using (var confirmed = await ConfirmAsync(query["secret"]!))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Contains("Subscribed: new papers in cs.CL; the search “diffusion”, weekly at 07:00 Europe/Paris", WebUtility.HtmlDecode(await confirmed.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }
        using (var reused = await ConfirmAsync(query["secret"]!))
            Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Equal("weekly", Assert.Single(await store.ListActiveAsync(0, 10)).Choices.Frequency);

        foreach (var (body, field) in new (object, string)[]
        {
            (new { email = "not an address" }, "email:"),
            (new { email = "b@example.org", timeZone = "Mars/Olympus_Mons" }, "timeZone: 'Mars/Olympus_Mons' is not a time zone"),
            (new { email = "b@example.org", searches = new[] { new { q = "+++ ---", mode = "keyword" } } }, "does not parse"),
            (new { email = "b@example.org", frequency = "hourly" }, "frequency:"),
            (new { email = "b@example.org", categories = new[] { "not a category" } }, "categories:"),
            (new { email = "b@example.org", trending = false }, "choose something to receive"),
        })
        {
            using var bad = await http.PostAsJsonAsync("/api/subscriptions", body);
            var text = await bad.Content.ReadAsStringAsync();
            Assert.True(bad.StatusCode == HttpStatusCode.BadRequest && text.Contains(field, StringComparison.Ordinal), $"{JsonSerializer.Serialize(body)}: {(int)bad.StatusCode} {text}");
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/subscription?token=forged", UriKind.Relative))).StatusCode);
    }
}

public sealed class DigestPreviewTests : IAsyncLifetime
{
    private readonly TestClock _clock = new(new DateTimeOffset(2025, 3, 20, 12, 0, 0, TimeSpan.Zero));
    private TestStore _db = null!;
    private PaperboyFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync("sqlite");
        await Importing.ImportAsync(_db.Store, TestData.Listing("2025-03-20"), TestData.Listing("2025-03-21"));
        _factory = new PaperboyFactory(_db, new Dictionary<string, string?> { ["Digest:Enabled"] = "false" }, _clock);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task The_preview_shows_the_next_digest_by_the_subscribers_token_and_records_nothing()
    {
        var store = _factory.Services.GetRequiredService<ISubscriptionStore>();
        var secret = ApiTokens.NewSecret();
        var s = await store.RequestAsync("ada@example.org", null, new SubscriptionChoices { Trending = false, Categories = ["cs.CL"] }, ApiTokens.Hash(secret), _clock.GetUtcNow(),
            _ => new OutboxMessage("subscribe", "ada@example.org", "confirm", "confirm"));
        await store.ConfirmAsync(s.Id, ApiTokens.Hash(secret), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromHours(20));
        var token = _factory.Services.GetRequiredService<SubscriptionTokens>().Create(s.Id);
        using var http = _factory.CreateClient();
        using var preview = await http.GetAsync(new Uri("/digest/preview?token=" + Uri.EscapeDataString(token), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Contains("New in cs.CL", html, StringComparison.Ordinal);
        Assert.Contains("<table role=\"presentation\"", html, StringComparison.Ordinal);
        Assert.Null((await store.GetAsync(s.Id))!.LastPeriod); // nothing recorded: the real digest still goes out
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/digest/preview?token=forged", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"/digest/preview?id={s.Id}", UriKind.Relative))).StatusCode); // ids are for admins
    }
}

public sealed class SqliteDigestRunTests : DigestRunTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresDigestRunTests : DigestRunTests
{
    protected override string Provider => "postgres";
}
