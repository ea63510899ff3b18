using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Ingest;

/// <summary>The fake arXiv itself, over HTTP: what ingest tests and demos rely on.</summary>
public sealed class FakeArxivTests
{
    private static readonly XNamespace Oai = "http://www.openarchives.org/OAI/2.0/";
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace ArxivAtom = "http://arxiv.org/schemas/atom";
    private static readonly XNamespace ArxivRaw = "http://arxiv.org/OAI/arXivRaw/";

    private static readonly string[] DefaultDays = ["2025-03-18", "2025-03-19", "2025-03-20"];

    /// <summary>(id, categories) of every listing line of a day, read straight from the file.</summary>
    private static List<(string Id, string[] Categories)> ReadDay(string day)
    {
        var rows = new List<(string, string[])>();
        using var reader = new StreamReader(new GZipStream(File.OpenRead(TestData.Listing(day)), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var r = json.RootElement;
            rows.Add((r.GetProperty("id").GetString()!, [.. r.GetProperty("categories").EnumerateArray().Select(c => c.GetString()!)]));
        }
        return rows;
    }

    private static async Task<XDocument> GetXmlAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Paging_with_resumption_tokens_returns_every_cs_record_exactly_once()
    {
        var expected = DefaultDays.SelectMany(ReadDay)
            .Where(r => r.Categories.Any(c => c.StartsWith("cs.", StringComparison.Ordinal)))
            .Select(r => r.Id)
            .ToHashSet();
        await using var arxiv = await FakeArxiv.StartAsync(new FakeArxivOptions { PageSize = 50 });
        using var http = new HttpClient();

        var seen = new List<string>();
        var url = arxiv.OaiUrl + "?verb=ListRecords&metadataPrefix=arXiv&set=cs";
        var pages = 0;
        while (true)
        {
            var doc = await GetXmlAsync(http, url);
            pages++;
            var records = doc.Descendants(Oai + "record").ToList();
            Assert.InRange(records.Count, 1, 50);
            seen.AddRange(records.Select(r => r.Element(Oai + "header")!.Element(Oai + "identifier")!.Value));
            var token = doc.Descendants(Oai + "resumptionToken").Single();
            Assert.Equal(expected.Count.ToString(), token.Attribute("completeListSize")!.Value);
            Assert.Equal(((pages - 1) * 50).ToString(), token.Attribute("cursor")!.Value);
            if (token.Value.Length == 0)
                break;
            url = arxiv.OaiUrl + "?verb=ListRecords&resumptionToken=" + Uri.EscapeDataString(token.Value);
        }

        Assert.Equal(expected.Count, seen.Count);
        Assert.Equal(expected.Order(), seen.Select(s => s["oai:arXiv.org:".Length..]).Order());
        Assert.Equal((expected.Count + 49) / 50, pages);
    }

    [Fact]
    public async Task A_bad_or_garbled_resumption_token_is_badResumptionToken()
    {
        await using var arxiv = await FakeArxiv.StartAsync(new FakeArxivOptions { PageSize = 10 });
        using var http = new HttpClient();
        var first = await GetXmlAsync(http, arxiv.OaiUrl + "?verb=ListRecords&metadataPrefix=arXiv&set=cs");
        var token = first.Descendants(Oai + "resumptionToken").Single().Value;
        var garbled = token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];

        foreach (var bad in new[] { "nonsense", garbled })
        {
            var doc = await GetXmlAsync(http, arxiv.OaiUrl + "?verb=ListRecords&resumptionToken=" + Uri.EscapeDataString(bad));
            Assert.Equal("badResumptionToken", doc.Root!.Element(Oai + "error")!.Attribute("code")!.Value);
        }
        var withPrefix = await GetXmlAsync(http, arxiv.OaiUrl + "?verb=ListRecords&metadataPrefix=arXiv&resumptionToken=" + Uri.EscapeDataString(token));
        Assert.Equal("badArgument", withPrefix.Root!.Element(Oai + "error")!.Attribute("code")!.Value);
        var badPrefix = await GetXmlAsync(http, arxiv.OaiUrl + "?verb=ListRecords&metadataPrefix=oai_marc");
        Assert.Equal("cannotDisseminateFormat", badPrefix.Root!.Element(Oai + "error")!.Attribute("code")!.Value);
        var none = await GetXmlAsync(http, arxiv.OaiUrl + "?verb=ListRecords&metadataPrefix=arXiv&set=cs&from=2030-01-01");
        Assert.Equal("noRecordsMatch", none.Root!.Element(Oai + "error")!.Attribute("code")!.Value);
    }

    [Fact]
    public async Task ArXivRaw_records_carry_version_history_and_deleted_records_only_a_header()
    {
        var firstId = ReadDay("2025-03-18").Select(r => r.Id).Order(StringComparer.Ordinal).First();
        await using var arxiv = await FakeArxiv.StartAsync(new FakeArxivOptions { DeletedIds = [firstId] });
        using var http = new HttpClient();
        var doc = await GetXmlAsync(http, arxiv.OaiUrl + "?verb=ListRecords&metadataPrefix=arXivRaw");

        var raws = doc.Descendants(ArxivRaw + "arXivRaw").ToList();
        Assert.Equal(99, raws.Count);
        Assert.All(raws, r =>
        {
            var versions = r.Elements(ArxivRaw + "version").ToList();
            Assert.NotEmpty(versions);
            Assert.Equal("v1", versions[0].Attribute("version")!.Value);
            Assert.EndsWith(" GMT", versions[0].Element(ArxivRaw + "date")!.Value);
            Assert.EndsWith("kb", versions[0].Element(ArxivRaw + "size")!.Value);
            Assert.False(string.IsNullOrWhiteSpace(r.Element(ArxivRaw + "submitter")!.Value));
        });
        Assert.Contains(raws, r => r.Elements(ArxivRaw + "version").Count() == 2);

        var deleted = doc.Descendants(Oai + "record").First();
        Assert.Equal("deleted", deleted.Element(Oai + "header")!.Attribute("status")!.Value);
        Assert.Equal("oai:arXiv.org:" + firstId, deleted.Element(Oai + "header")!.Element(Oai + "identifier")!.Value);
        Assert.Null(deleted.Element(Oai + "metadata"));
    }

    [Fact]
    public async Task The_recorded_query_is_served_verbatim()
    {
        await using var arxiv = await FakeArxiv.StartAsync();
        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(arxiv.QueryUrl + "?search_query=cat:cs.RO+AND+%28neural%29&start=0&max_results=2");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(TestData.Root, "api-fixtures", "arxiv-atom", "query-response.xml")), bytes);
    }

    [Fact]
    public async Task A_malformed_id_is_a_400_with_arXivs_error_entry_and_an_unknown_id_is_an_empty_feed()
    {
        await using var arxiv = await FakeArxiv.StartAsync();
        using var http = new HttpClient();
        using var response = await http.GetAsync(arxiv.QueryUrl + "?id_list=foo");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var entry = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element(Atom + "entry")!;
        Assert.Equal("http://arxiv.org/api/errors#incorrect_id_format_for_foo", entry.Element(Atom + "id")!.Value);
        Assert.Equal("Error", entry.Element(Atom + "title")!.Value);
        Assert.Equal("incorrect id format for foo", entry.Element(Atom + "summary")!.Value);
        Assert.Equal("arXiv api core", entry.Element(Atom + "author")!.Element(Atom + "name")!.Value);

        var unknown = await GetXmlAsync(http, arxiv.QueryUrl + "?id_list=1901.00001");
        Assert.Equal("0", unknown.Root!.Element(XName.Get("totalResults", "http://a9.com/-/spec/opensearch/1.1/"))!.Value);
        Assert.Empty(unknown.Root.Elements(Atom + "entry"));

        var known = await GetXmlAsync(http, arxiv.QueryUrl + "?id_list=2503.14603v1");
        Assert.Equal("http://arxiv.org/abs/2503.14603v1", known.Root!.Element(Atom + "entry")!.Element(Atom + "id")!.Value);
    }

    [Fact]
    public async Task The_cs_CL_feed_of_2025_03_20_announces_new_and_cross_lists()
    {
        var expected = ReadDay("2025-03-20").Where(r => r.Categories.Contains("cs.CL")).Select(r => r.Id).Distinct().Count();
        await using var arxiv = await FakeArxiv.StartAsync();
        using var http = new HttpClient();
        var doc = await GetXmlAsync(http, arxiv.FeedUrl + "/cs.CL");

        Assert.Equal("cs.CL updates on arXiv.org", doc.Root!.Element(Atom + "title")!.Value);
        Assert.Equal("2025-03-20T00:00:00-04:00", doc.Root.Element(Atom + "updated")!.Value);
        var entries = doc.Root.Elements(Atom + "entry").ToList();
        Assert.Equal(expected, entries.Count);
        var types = entries.Select(e => e.Element(ArxivAtom + "announce_type")!.Value).ToHashSet();
        Assert.Contains("new", types);
        Assert.Contains("cross", types);
        Assert.All(entries, e => Assert.Contains("Announce Type: ", e.Element(Atom + "summary")!.Value));

        arxiv.Options.FeedDay = "2025-03-22"; // a Saturday: no announcements
        var weekend = await GetXmlAsync(http, arxiv.FeedUrl + "/cs.CL");
        Assert.Empty(weekend.Root!.Elements(Atom + "entry"));
    }

    [Fact]
    public async Task A_configured_503_carries_Retry_After_and_is_logged()
    {
        await using var arxiv = await FakeArxiv.StartAsync(new FakeArxivOptions { Fail503OnRequests = [1], RetryAfterSeconds = 2 });
        using var http = new HttpClient();
        using (var first = await http.GetAsync(arxiv.OaiUrl + "?verb=Identify"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter!.Delta);
        }
        using (var second = await http.GetAsync(arxiv.OaiUrl + "?verb=Identify"))
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using (var missing = await http.GetAsync(arxiv.BaseUrl + "/nowhere"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        Assert.Equal([503, 200, 404], arxiv.Requests.Select(r => r.StatusCode));
        Assert.Equal("503", arxiv.Requests[0].Fault);
        Assert.Equal("/oai?verb=Identify", arxiv.Requests[0].PathAndQuery);
    }

    [Fact]
    public async Task Page_faults_happen_once_and_a_DTD_is_refused_by_a_safe_parser()
    {
        await using var arxiv = await FakeArxiv.StartAsync(new FakeArxivOptions { BreakOffOnPage = 1, MalformedOnPage = 1, ServeDtd = false });
        using var http = new HttpClient();
        var url = arxiv.OaiUrl + "?verb=ListRecords&metadataPrefix=arXiv&set=cs";

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(url));
        var malformed = await http.GetStringAsync(url);
        Assert.ThrowsAny<XmlException>(() => XDocument.Parse(malformed));
        Assert.NotEmpty((await GetXmlAsync(http, url)).Descendants(Oai + "record"));

        arxiv.Options.ServeDtd = true;
        var body = await http.GetStringAsync(url);
        Assert.Contains("<!DOCTYPE OAI-PMH [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>", body);
        Assert.Contains("&xxe;", body);
        Assert.ThrowsAny<XmlException>(() => XDocument.Load(XmlReader.Create(new StringReader(body), new XmlReaderSettings())));
    }
}
