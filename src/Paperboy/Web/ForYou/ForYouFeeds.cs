using Paperboy.Core.Papers;
using Paperboy.Core.Recommend;
using Paperboy.Web.Feeds;

namespace Paperboy.Web.ForYou;

/// <summary>
/// A member's private feeds at token URLs, read without a cookie: <c>/feeds/for-you/{token}.rss|.atom|.json</c> (their
/// For you list) and <c>/feeds/for-you/{token}/tags/{tag}.rss|…</c> ("papers like my tag": the week's new papers
/// ranked by that tag's papers alone). Items are the other feeds' paper entries with the "because" line first. A
/// wrong, altered or revoked token, and a tag the member does not use, are 404.
/// </summary>
public static class ForYouFeeds
{
    public const int Days = Core.Recommend.ForYou.DefaultDays;
    private const int Size = 50;

    public static void MapForYouFeeds(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feeds/for-you/{file}", (string file, HttpContext http, SiteUrl site, ForYouFeedTokens tokens, Core.Recommend.ForYou forYou, CancellationToken ct) =>
                FeedAsync(file, null, http, site, tokens, forYou, ct))
            .WithTags("feeds").WithSummary("A member's For you list as RSS, Atom or JSON Feed, at the private token URL shown on /for-you");
        app.MapGet("/feeds/for-you/{token}/tags/{file}", (string token, string file, HttpContext http, SiteUrl site, ForYouFeedTokens tokens, Core.Recommend.ForYou forYou, CancellationToken ct) =>
                FeedAsync(token + "." + file, token, http, site, tokens, forYou, ct))
            .WithTags("feeds").WithSummary("Papers like one of a member's tags, at the private token URL shown on the library's tag view");
    }

    /// <summary>The member's For you feed, as pages link feeds.</summary>
    public static FeedsApi.FeedLink ForYouLink(string token) => new("For you (private)", $"for-you/{token}");

    /// <summary>The feed of papers like the member's tag.</summary>
    public static FeedsApi.FeedLink TagLink(string token, string tag) => new($"papers like “{tag}” (private)", $"for-you/{token}/tags/{Uri.EscapeDataString(tag)}");

    /// <summary><paramref name="tagToken"/> is null for the For you feed; otherwise <paramref name="name"/> is "token.tag.format".</summary>
    private static async Task<IResult> FeedAsync(string name, string? tagToken, HttpContext http, SiteUrl site, ForYouFeedTokens tokens, Core.Recommend.ForYou forYou, CancellationToken ct)
    {
        var dot = name.LastIndexOf('.');
        var format = dot > 0 ? name[(dot + 1)..] : "";
        if (!FeedFormats.MediaTypes.ContainsKey(format))
            return FeedsApi.NotFound("a feed ends in .rss, .atom or .json");
        var token = tagToken ?? name[..dot];
        var tag = tagToken is null ? null : name[(tagToken.Length + 1)..dot];
        // Nobody learns from the answer whether a token was ever valid, or whether a member uses a tag.
        if (await tokens.ReadAsync(token, ct) is not { } userId)
            return FeedsApi.NotFound("no such feed");
        var list = tag is null ? await forYou.CurrentAsync(userId, Size, ct) : await forYou.RecommendForTagAsync(userId, tag, Days, Size, ct);
        if (list is null)
            return FeedsApi.NotFound("no such feed");
        var baseUrl = site.Base(http);
        var page = tag is null ? $"{baseUrl}/for-you" : $"{baseUrl}/library?tag={Uri.EscapeDataString(tag)}";
        var content = new FeedContent(
            tag is null ? "Paperboy: for you" : $"Paperboy: papers like “{TextNormalizer.Clip(tag, 40)}”",
            tag is null ? "The week's new papers ranked by what you saved, tagged and upvoted" : $"The week's new papers ranked by the papers you tagged “{tag}”",
            page, $"{baseUrl}{http.Request.Path}", Entries(list, baseUrl));
        // Private: no shared cache may keep it.
        return FeedsApi.Respond(http, content, format, "private, max-age=300");
    }

    /// <summary>The items as paper entries (the same ids and fields as every feed) with the "because" line before the abstract.</summary>
    public static IReadOnlyList<FeedEntry> Entries(ForYouList list, string baseUrl) =>
        [.. list.Items.Select(i =>
        {
            var entry = FeedsApi.PaperEntry(i.Paper, baseUrl);
            var because = ForYouReasons.Line(i);
            return because.Length == 0 ? entry : entry with { Text = $"Because: {because}\n\n{entry.Text}" };
        })];
}
