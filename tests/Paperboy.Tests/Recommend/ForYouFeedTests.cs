using System.Net;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Recommend;

/// <summary>A member's private feeds: For you and "papers like my tag", at token URLs that work without a cookie until reset.</summary>
public sealed partial class ForYouFeedTests
{
    [GeneratedRegex("href=\"([^\"]+)\" data-private-feed")]
    private static partial Regex PrivateFeed();

    [GeneratedRegex("href=\"([^\"]+)\" data-tag-feed")]
    private static partial Regex TagFeed();

    private static SyndicationFeed Syndication(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        return SyndicationFeed.Load(reader);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Private_feeds_work_without_a_cookie_say_why_and_stop_working_when_reset(string provider)
    {
        await using var db = await TestStore.CreateAsync(provider);
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-18"), TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"));
        await using var factory = new PaperboyFactory(db);
        using var member = await MemberSessions.SignUpAsync(factory, "ada");
        var user = (await factory.Services.GetRequiredService<IAccountStore>().FindUserByHandleAsync("ada"))!;
        var library = factory.Services.GetRequiredService<ILibraryStore>();
        var day = await db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 19)), null, ListingSort.Published, 0, 500));
        var nlp = day.Items.Select(i => i.Paper).Where(p => p.Categories[0] == "cs.CL").Take(3).ToList();
        var vision = day.Items.Select(i => i.Paper).Where(p => p.Categories[0] == "cs.CV").Take(3).ToList();
        foreach (var p in nlp)
            await library.SaveAsync(user.Id, p.Id, ["Language"], DateTimeOffset.UtcNow);
        foreach (var p in vision)
            await library.SaveAsync(user.Id, p.Id, ["vision"], DateTimeOffset.UtcNow);

        var page = await member.GetStringAsync(new Uri("/for-you", UriKind.Relative));
        var rssUrl = WebUtility.HtmlDecode(PrivateFeed().Match(page).Groups[1].Value);
        Assert.StartsWith("/feeds/for-you/", rssUrl, StringComparison.Ordinal);
        Assert.EndsWith(".rss", rssUrl, StringComparison.Ordinal);

        using var reader = factory.CreateClient(); // a feed reader: no cookie
        using var rss = await reader.GetAsync(new Uri(rssUrl, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, rss.StatusCode);
        Assert.Equal("application/rss+xml", rss.Content.Headers.ContentType?.MediaType);
        Assert.Contains("private", rss.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var feed = Syndication(await rss.Content.ReadAsStringAsync());
        var items = feed.Items.ToList();
        Assert.Equal(50, items.Count);
        var saved = nlp.Concat(vision).Select(p => p.Id).ToHashSet();
        Assert.DoesNotContain(items, i => saved.Contains(i.Links[0].Uri.AbsolutePath["/papers/".Length..]));
        // The same stable id as every feed (arXiv id and version) and the "because" line before the abstract.
        var first = items[0];
        var firstId = first.Links[0].Uri.AbsolutePath["/papers/".Length..];
        var firstPaper = (await db.Store.GetPaperAsync(firstId))!.Paper;
        Assert.Equal($"https://arxiv.org/abs/{firstPaper.Id}{(firstPaper.Version is { } v ? "v" + v : "")}", first.Id);
        var summary = first.Summary.Text;
        Assert.StartsWith("Because: Near your “", summary, StringComparison.Ordinal);
        Assert.EndsWith(firstPaper.Abstract, summary, StringComparison.Ordinal);
        Assert.Contains(nlp.Concat(vision), p => summary.Contains(p.Title, StringComparison.Ordinal));

        // A repeat with the ETag gets 304; Atom and JSON Feed carry the same items.
        using var repeat = new HttpRequestMessage(HttpMethod.Get, rssUrl);
        repeat.Headers.IfNoneMatch.Add(rss.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(repeat)).StatusCode);
        var atom = Syndication(await reader.GetStringAsync(new Uri(rssUrl[..^4] + ".atom", UriKind.Relative)));
        Assert.Equal(items.Select(i => i.Id), atom.Items.Select(i => i.Id));
        using var json = JsonDocument.Parse(await reader.GetStringAsync(new Uri(rssUrl[..^4] + ".json", UriKind.Relative)));
        Assert.Equal(items.Select(i => i.Id), json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        // A tag's feed, linked from the library's view of the tag: ranked by that tag's papers alone.
        var tagPage = await member.GetStringAsync(new Uri("/library?tag=vision", UriKind.Relative));
        var tagUrl = WebUtility.HtmlDecode(TagFeed().Match(tagPage).Groups[1].Value);
        Assert.EndsWith("/tags/vision.rss", tagUrl, StringComparison.Ordinal);
        var visionFeed = Syndication(await reader.GetStringAsync(new Uri(tagUrl, UriKind.Relative)));
        var visionTitles = vision.Select(p => p.Title).ToList();
        var nlpTitles = nlp.Select(p => p.Title).ToList();
        Assert.All(visionFeed.Items.Take(10), i =>
        {
            Assert.Contains(visionTitles, t => i.Summary.Text.Contains(t, StringComparison.Ordinal));
            Assert.DoesNotContain(nlpTitles, t => i.Summary.Text.Contains(t, StringComparison.Ordinal));
        });
        var tagIds = visionFeed.Items.Take(10).Select(i => i.Id).ToList();
        var languageFeed = Syndication(await reader.GetStringAsync(new Uri(tagUrl.Replace("/tags/vision.", "/tags/language.", StringComparison.Ordinal), UriKind.Relative)));
        Assert.NotEqual(tagIds, languageFeed.Items.Take(10).Select(i => i.Id).ToList()); // tags ignore case; another tag ranks otherwise

        // Wrong token, altered token, unknown tag, unknown format: 404 alike.
        var token = rssUrl["/feeds/for-you/".Length..^4];
        foreach (var bad in new[] { "/feeds/for-you/nope.rss", $"/feeds/for-you/{token[..^2]}xy.rss", $"/feeds/for-you/{token}/tags/unknown.rss", $"/feeds/for-you/{token}.html" })
            Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(new Uri(bad, UriKind.Relative))).StatusCode);

        // Reset (a form with antiforgery): the old addresses stop working, the new one works.
        using var reset = await member.PostAsync(new Uri("/for-you?handler=ResetFeed", UriKind.Relative),
            new FormUrlEncodedContent([new("__RequestVerificationToken", MemberSessions.FormToken().Match(page).Groups[1].Value)]));
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(new Uri(rssUrl, UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(new Uri(tagUrl, UriKind.Relative))).StatusCode);
        var after = await member.GetStringAsync(new Uri("/for-you", UriKind.Relative));
        Assert.Contains("the old ones no longer work", after, StringComparison.Ordinal);
        var newUrl = WebUtility.HtmlDecode(PrivateFeed().Match(after).Groups[1].Value);
        Assert.NotEqual(rssUrl, newUrl);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(new Uri(newUrl, UriKind.Relative))).StatusCode);
    }
}
