using System.Globalization;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace Paperboy.Web.Feeds;

/// <summary>One entry of a feed: a paper or a comment, with an id that never changes (arXiv id and version, comment id).</summary>
public sealed record FeedEntry(
    string Id, string Title, string Url, string? ExternalUrl, string Text, string? Html,
    IReadOnlyList<string> Authors, IReadOnlyList<string> Tags, DateTimeOffset Published, DateTimeOffset Updated);

/// <summary>A list as a feed: what it is, where its page and itself are, and its entries (newest first).</summary>
public sealed record FeedContent(string Title, string Description, string PageUrl, string FeedUrl, IReadOnlyList<FeedEntry> Entries)
{
    public DateTimeOffset Updated => Entries.Count > 0 ? Entries.Max(e => e.Updated) : DateTimeOffset.UnixEpoch;
}

/// <summary>The three formats every list is offered in: RSS 2.0, Atom 1.0 (System.ServiceModel.Syndication) and JSON Feed 1.1.</summary>
public static class FeedFormats
{
    public static readonly IReadOnlyDictionary<string, string> MediaTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["rss"] = "application/rss+xml",
        ["atom"] = "application/atom+xml",
        ["json"] = "application/feed+json",
    };

    public static byte[] Write(FeedContent content, string format) => format switch
    {
        "json" => JsonFeed(content),
        _ => Xml(content, format),
    };

    private static byte[] Xml(FeedContent content, string format)
    {
        var feed = new SyndicationFeed(content.Title, content.Description, new Uri(content.PageUrl), content.FeedUrl, content.Updated)
        {
            Language = "en",
            Generator = "Paperboy",
        };
        feed.Links.Add(SyndicationLink.CreateSelfLink(new Uri(content.FeedUrl), MediaTypes[format]));
        feed.Items = content.Entries.Select(e =>
        {
            var item = new SyndicationItem(e.Title, e.Html is null ? SyndicationContent.CreatePlaintextContent(e.Text) : SyndicationContent.CreateHtmlContent(e.Html), new Uri(e.Url), e.Id, e.Updated)
            {
                PublishDate = e.Published,
                Summary = new TextSyndicationContent(e.Text),
            };
            foreach (var a in e.Authors)
                item.Authors.Add(new SyndicationPerson(null, a, null));
            foreach (var t in e.Tags)
                item.Categories.Add(new SyndicationCategory(t));
            if (e.ExternalUrl is not null)
                item.Links.Add(new SyndicationLink(new Uri(e.ExternalUrl), "related", "arXiv", "text/html", 0));
            return item;
        }).ToList();
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            if (format == "atom")
                new Atom10FeedFormatter(feed).WriteTo(writer);
            else
                new Rss20FeedFormatter(feed, serializeExtensionsAsAtom: true).WriteTo(writer);
        }
        return stream.ToArray();
    }

    /// <summary>JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written by hand: it is a few keys.</summary>
    private static byte[] JsonFeed(FeedContent content)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("version", "https://jsonfeed.org/version/1.1");
            w.WriteString("title", content.Title);
            w.WriteString("home_page_url", content.PageUrl);
            w.WriteString("feed_url", content.FeedUrl);
            w.WriteString("description", content.Description);
            w.WriteString("language", "en");
            w.WriteStartArray("items");
            foreach (var e in content.Entries)
            {
                w.WriteStartObject();
                w.WriteString("id", e.Id);
                w.WriteString("url", e.Url);
                if (e.ExternalUrl is not null)
                    w.WriteString("external_url", e.ExternalUrl);
                w.WriteString("title", e.Title);
                if (e.Html is not null)
                    w.WriteString("content_html", e.Html);
                w.WriteString("content_text", e.Text);
                w.WriteString("date_published", e.Published.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));
                w.WriteString("date_modified", e.Updated.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));
                w.WriteStartArray("authors");
                foreach (var a in e.Authors)
                {
                    w.WriteStartObject();
                    w.WriteString("name", a);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("tags");
                foreach (var t in e.Tags)
                    w.WriteStringValue(t);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }
}
