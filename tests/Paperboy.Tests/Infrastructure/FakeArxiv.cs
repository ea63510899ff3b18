using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Paperboy.Tests.Infrastructure;

/// <summary>
/// Settings of a <see cref="FakeArxiv"/>. The data settings (<see cref="ListingDays"/>) are read once at start;
/// everything else is read on every request, so a test may change it between requests (not concurrently).
/// </summary>
public sealed class FakeArxivOptions
{
    /// <summary>Listing days (files in shared/data/arxiv-listings) whose unique papers make up the data.</summary>
    public string[] ListingDays { get; set; } = ["2025-03-18", "2025-03-19", "2025-03-20"];

    /// <summary>Where a day's listing file is; tests may point a day at a file of their own (made-up papers).</summary>
    public Func<string, string> ListingPath { get; set; } = TestData.Listing;

    /// <summary>OAI-PMH records per ListRecords page.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>The most entries one announcement feed carries.</summary>
    public int FeedMaxEntries { get; set; } = 2000;

    /// <summary>The listing day the announcement feeds announce; null: the last of <see cref="ListingDays"/>.</summary>
    public string? FeedDay { get; set; }

    /// <summary>Query API serialization: true = today's (namespaces on the root, https links); false = the classic one.</summary>
    public bool CurrentAtom { get; set; } = true;

    /// <summary>Papers served as OAI-PMH deleted records (header status="deleted", no metadata).</summary>
    public HashSet<string> DeletedIds { get; set; } = [];

    /// <summary>DOIs by arXiv id (the listings have none), emitted by the query API and OAI-PMH.</summary>
    public Dictionary<string, string> Dois { get; set; } = [];

    /// <summary>Journal references by arXiv id (the listings have none), emitted by the query API and OAI-PMH.</summary>
    public Dictionary<string, string> JournalRefs { get; set; } = [];

    /// <summary>1-based request numbers (counting every request to the server) answered 503 with Retry-After.</summary>
    public HashSet<int> Fail503OnRequests { get; set; } = [];

    /// <summary>The Retry-After value, in seconds, of those 503s.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>1-based ListRecords page whose body is cut in half and the connection aborted.</summary>
    public int? BreakOffOnPage { get; set; }

    /// <summary>1-based ListRecords page served as syntactically broken XML (a mismatched end tag).</summary>
    public int? MalformedOnPage { get; set; }

    /// <summary>Every OAI-PMH response carries a DOCTYPE declaring an external entity and uses it in a title.</summary>
    public bool ServeDtd { get; set; }

    /// <summary>Page faults happen once per page number; asked again, the page is served correctly.</summary>
    public bool FaultsOnce { get; set; } = true;
}

/// <summary>One request as the fake saw it.</summary>
/// <param name="Number">1-based arrival number (the numbering <see cref="FakeArxivOptions.Fail503OnRequests"/> uses).</param>
/// <param name="PathAndQuery">The request target exactly as sent (still percent-encoded).</param>
/// <param name="Host">The Host header.</param>
/// <param name="ArrivedUtc">Wall-clock arrival time, UTC.</param>
/// <param name="SinceStart">Monotonic arrival time since the server started (for measuring back-off).</param>
/// <param name="StatusCode">The status served (200 for a page that was broken off).</param>
/// <param name="Fault">Injected fault: "503", "break-off", "malformed"; null when served normally.</param>
public sealed record FakeRequest(
    int Number, string PathAndQuery, string Host, DateTimeOffset ArrivedUtc, TimeSpan SinceStart, int StatusCode, string? Fault, string UserAgent = "");

/// <summary>
/// A loopback HTTP server that plays arXiv over real listing data (shared/data/arxiv-listings): OAI-PMH at
/// <see cref="OaiUrl"/>, the query API at <see cref="QueryUrl"/>, the announcement feeds (rss.arxiv.org/atom/...)
/// under <see cref="FeedUrl"/>, with injectable faults. Everything else is 404.
/// </summary>
public sealed partial class FakeArxiv : IAsyncDisposable
{
    private const string OaiNs = "http://www.openarchives.org/OAI/2.0/";
    private const string XsiNs = "http://www.w3.org/2001/XMLSchema-instance";
    private const string ArxivOaiNs = "http://arxiv.org/OAI/arXiv/";
    private const string ArxivRawNs = "http://arxiv.org/OAI/arXivRaw/";
    private const string License = "http://creativecommons.org/licenses/by/4.0/";
    private const string FaultItem = "fake-arxiv-fault";

    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace OpenSearch = "http://a9.com/-/spec/opensearch/1.1/";
    private static readonly XNamespace ArxivAtom = "http://arxiv.org/schemas/atom";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";
    private static readonly XNamespace Content = "http://purl.org/rss/1.0/modules/content/";

    /// <summary>Archives that are OAI sets of their own; every other archive sits under "physics:".</summary>
    private static readonly HashSet<string> TopLevelArchives = ["cs", "econ", "eess", "math", "q-bio", "q-fin", "stat"];

    private static readonly XmlWriterSettings XmlSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        IndentChars = "  ",
        NewLineChars = "\n",
    };

    private readonly FakeArxivOptions _options;
    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<FakeRequest> _log = [];
    private readonly Lock _gate = new();
    private readonly HashSet<int> _brokenOffPages = [];
    private readonly HashSet<int> _malformedPages = [];
    private int _requestCount;

    // The data: unique papers of the configured days in OAI order (listing day, then id), and lookups.
    private readonly List<Paper> _papers;
    private readonly Dictionary<string, Paper> _byId;
    private readonly string _lastDay;
    private readonly ConcurrentDictionary<string, List<Row>> _days = new();

    private FakeArxiv(FakeArxivOptions options, WebApplication app)
    {
        _options = options;
        _app = app;

        var days = options.ListingDays.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (days.Length == 0)
            throw new ArgumentException("FakeArxivOptions.ListingDays is empty.", nameof(options));
        _lastDay = days[^1];
        _byId = new Dictionary<string, Paper>(StringComparer.Ordinal);
        foreach (var day in days)
        {
            foreach (var row in Day(day))
            {
                if (_byId.TryGetValue(row.Id, out var seen))
                    seen.ListedOn.Add(day);
                else
                    _byId[row.Id] = new Paper(row, day);
            }
        }
        _papers = [.. _byId.Values.OrderBy(p => p.Day, StringComparer.Ordinal).ThenBy(p => p.Id, StringComparer.Ordinal)];

        // Version history: a paper listed again on a later configured day was replaced then (v2 on that day);
        // every 7th other paper also gets a v2, a day after v1, so clients see version lists.
        for (var i = 0; i < _papers.Count; i++)
        {
            var paper = _papers[i];
            if (paper.ListedOn.Count > 1)
                paper.V2Day = paper.ListedOn[1];
            else if (i % 7 == 6)
                paper.V2Day = DateOnly.ParseExact(paper.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>http://127.0.0.1:PORT, no trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The OAI-PMH base URL (BaseUrl/oai).</summary>
    public string OaiUrl => BaseUrl + "/oai";

    /// <summary>The query API (BaseUrl/api/query), like export.arxiv.org/api/query.</summary>
    public string QueryUrl => BaseUrl + "/api/query";

    /// <summary>The announcement feeds' base (BaseUrl/atom); a feed is FeedUrl + "/cs.LG+cs.CL", like rss.arxiv.org/atom/cs.LG+cs.CL.</summary>
    public string FeedUrl => BaseUrl + "/atom";

    /// <summary>The options in force (the same object that was passed in).</summary>
    public FakeArxivOptions Options => _options;

    /// <summary>
    /// Every request so far, in arrival order (a snapshot). A request is logged once its response is written, which
    /// can be just after the client has read it; so this waits (up to 10 s) until every request that has arrived is
    /// logged, or a test that reads it straight after its client returns would miss the last one.
    /// </summary>
    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                lock (_gate)
                {
                    if (_log.Count >= Volatile.Read(ref _requestCount) || waited.Elapsed > TimeSpan.FromSeconds(10))
                        return [.. _log.OrderBy(r => r.Number)];
                }
                Thread.Sleep(5);
            }
        }
    }

    public static async Task<FakeArxiv> StartAsync(FakeArxivOptions? options = null)
    {
        options ??= new FakeArxivOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Nothing from the environment or appsettings (ASPNETCORE_URLS, Kestrel endpoints) may move the server.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
        builder.Logging.ClearProviders();
        var app = builder.Build();

        var fake = new FakeArxiv(options, app);
        app.Use(fake.LogAndInjectAsync);
        app.MapMethods("/oai", ["GET", "POST"], fake.OaiAsync);
        app.MapGet("/api/query", fake.QueryAsync);
        app.MapGet("/atom/{categories}", (HttpContext ctx, string categories) => fake.AnnouncementFeedAsync(ctx, categories));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        fake.BaseUrl = address.TrimEnd('/');
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Request log and 503 injection

    private async Task LogAndInjectAsync(HttpContext ctx, RequestDelegate next)
    {
        var number = Interlocked.Increment(ref _requestCount);
        var arrived = DateTimeOffset.UtcNow;
        var sinceStart = _clock.Elapsed;
        string? fault = null;
        try
        {
            if (_options.Fail503OnRequests.Contains(number))
            {
                fault = "503";
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                ctx.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync($"Retry after {_options.RetryAfterSeconds} seconds\n", ctx.RequestAborted);
                return;
            }
            await next(ctx);
        }
        finally
        {
            fault ??= ctx.Items.TryGetValue(FaultItem, out var f) ? f as string : null;
            var target = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ctx.Request.Path + ctx.Request.QueryString;
            var entry = new FakeRequest(number, target, ctx.Request.Host.Value ?? "", arrived, sinceStart, ctx.Response.StatusCode, fault, ctx.Request.Headers.UserAgent.ToString());
            lock (_gate)
                _log.Add(entry);
        }
    }

    private static async Task WriteAsync(HttpContext ctx, int status, string contentType, byte[] body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    // ------------------------------------------------------------------------------------------------------------
    // OAI-PMH (https://www.openarchives.org/OAI/openarchivesprotocol.html, as export.arxiv.org/oai2 serves it)

    private async Task OaiAsync(HttpContext ctx)
    {
        IEnumerable<KeyValuePair<string, StringValues>> args = ctx.Request.HasFormContentType
            ? await ctx.Request.ReadFormAsync(ctx.RequestAborted)
            : ctx.Request.Query;
        var (body, page) = Oai(args);

        string? fault = null;
        if (page is int p)
        {
            lock (_gate)
            {
                if (_options.BreakOffOnPage == p && (!_options.FaultsOnce || _brokenOffPages.Add(p)))
                    fault = "break-off";
                else if (_options.MalformedOnPage == p && (!_options.FaultsOnce || _malformedPages.Add(p)))
                    fault = "malformed";
            }
        }
        ctx.Items[FaultItem] = fault;

        if (fault == "break-off")
        {
            // Promise the whole body, send half of it, then drop the connection.
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            ctx.Response.ContentType = "text/xml; charset=utf-8";
            ctx.Response.ContentLength = body.Length;
            await ctx.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            ctx.Abort();
            return;
        }
        if (fault == "malformed")
            body = Malform(body);
        await WriteAsync(ctx, StatusCodes.Status200OK, "text/xml; charset=utf-8", body);
    }

    /// <summary>Breaks the first record's header with a mismatched end tag (any XML parser must reject it).</summary>
    private static byte[] Malform(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var at = text.IndexOf("</header>", StringComparison.Ordinal);
        text = at >= 0 ? string.Concat(text.AsSpan(0, at), "</headr>", text.AsSpan(at + "</header>".Length)) : text[..(text.Length / 2)];
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The response body and, for ListRecords pages, the 1-based page number (what page faults key on).</summary>
    private (byte[] Body, int? Page) Oai(IEnumerable<KeyValuePair<string, StringValues>> raw)
    {
        // OAI arguments: each at most once; a repeated one is a badArgument (badVerb for verb itself).
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, values) in raw)
        {
            if (values.Count != 1 || !args.TryAdd(key, values[0] ?? ""))
                repeated.Add(key);
        }
        if (!args.TryGetValue("verb", out var verb) || repeated.Contains("verb"))
            return (OaiError(null, "badVerb", "Illegal verb"), null);
        if (repeated.Count > 0)
            return (OaiError(null, "badArgument", "Repeated argument " + repeated.First()), null);

        return verb switch
        {
            "Identify" => (Identify(args), null),
            "ListMetadataFormats" => (ListMetadataFormats(args), null),
            "GetRecord" => (GetRecord(args), null),
            "ListRecords" => ListRecords(args),
            _ => (OaiError(null, "badVerb", "Illegal verb"), null),
        };
    }

    private static string? UnexpectedArgument(Dictionary<string, string> args, params string[] allowed) =>
        args.Keys.FirstOrDefault(k => k != "verb" && !allowed.Contains(k));

    private byte[] Identify(Dictionary<string, string> args)
    {
        if (UnexpectedArgument(args) is { } extra)
            return OaiError(null, "badArgument", "Illegal argument " + extra);
        return OaiEnvelope(args, (w, _) =>
        {
            w.WriteStartElement("Identify", OaiNs);
            w.WriteElementString("repositoryName", OaiNs, "arXiv");
            w.WriteElementString("baseURL", OaiNs, OaiUrl);
            w.WriteElementString("protocolVersion", OaiNs, "2.0");
            w.WriteElementString("adminEmail", OaiNs, "help@arxiv.org");
            w.WriteElementString("earliestDatestamp", OaiNs, "2007-05-23");
            w.WriteElementString("deletedRecord", OaiNs, "persistent");
            w.WriteElementString("granularity", OaiNs, "YYYY-MM-DD");
            w.WriteEndElement();
        });
    }

    private byte[] ListMetadataFormats(Dictionary<string, string> args)
    {
        if (UnexpectedArgument(args, "identifier") is { } extra)
            return OaiError(null, "badArgument", "Illegal argument " + extra);
        if (args.TryGetValue("identifier", out var identifier) && FindRecord(identifier) is null)
            return OaiError(args, "idDoesNotExist", "Identifier does not exist");
        return OaiEnvelope(args, (w, _) =>
        {
            w.WriteStartElement("ListMetadataFormats", OaiNs);
            foreach (var (prefix, ns) in new[] { ("arXiv", ArxivOaiNs), ("arXivRaw", ArxivRawNs) })
            {
                w.WriteStartElement("metadataFormat", OaiNs);
                w.WriteElementString("metadataPrefix", OaiNs, prefix);
                w.WriteElementString("schema", OaiNs, ns.TrimEnd('/') + ".xsd");
                w.WriteElementString("metadataNamespace", OaiNs, ns);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        });
    }

    private Paper? FindRecord(string identifier) =>
        identifier.StartsWith("oai:arXiv.org:", StringComparison.Ordinal) && _byId.TryGetValue(identifier["oai:arXiv.org:".Length..], out var paper)
            ? paper
            : null;

    private byte[] GetRecord(Dictionary<string, string> args)
    {
        if (UnexpectedArgument(args, "identifier", "metadataPrefix") is { } extra)
            return OaiError(null, "badArgument", "Illegal argument " + extra);
        if (!args.TryGetValue("identifier", out var identifier) || !args.TryGetValue("metadataPrefix", out var prefix))
            return OaiError(null, "badArgument", "GetRecord needs identifier and metadataPrefix");
        if (prefix is not ("arXiv" or "arXivRaw"))
            return OaiError(args, "cannotDisseminateFormat", "Unknown metadata format " + prefix);
        if (FindRecord(identifier) is not { } paper)
            return OaiError(args, "idDoesNotExist", "Identifier does not exist");
        return OaiEnvelope(args, (w, xxe) =>
        {
            w.WriteStartElement("GetRecord", OaiNs);
            WriteRecord(w, paper, prefix, xxe);
            w.WriteEndElement();
        });
    }

    private (byte[] Body, int? Page) ListRecords(Dictionary<string, string> args)
    {
        string prefix, set, from, until;
        int offset;
        if (args.TryGetValue("resumptionToken", out var token))
        {
            // The token is exclusive: no other argument may come with it.
            if (UnexpectedArgument(args, "resumptionToken") is { } extra)
                return (OaiError(null, "badArgument", "Illegal argument " + extra), null);
            if (!TryDecodeToken(token, out prefix, out set, out from, out until, out offset))
                return (OaiError(args, "badResumptionToken", "Invalid or expired resumptionToken"), null);
        }
        else
        {
            if (UnexpectedArgument(args, "metadataPrefix", "set", "from", "until") is { } extra)
                return (OaiError(null, "badArgument", "Illegal argument " + extra), null);
            if (!args.TryGetValue("metadataPrefix", out prefix!))
                return (OaiError(null, "badArgument", "metadataPrefix missing"), null);
            set = args.GetValueOrDefault("set", "");
            from = args.GetValueOrDefault("from", "");
            until = args.GetValueOrDefault("until", "");
            if ((from != "" && !IsDay(from)) || (until != "" && !IsDay(until)))
                return (OaiError(null, "badArgument", "from and until must be YYYY-MM-DD"), null);
            if (from != "" && until != "" && string.CompareOrdinal(from, until) > 0)
                return (OaiError(null, "badArgument", "from is after until"), null);
            if (set != "" && !SetSpecSyntax().IsMatch(set))
                return (OaiError(null, "badArgument", "Invalid set " + set), null);
            if (prefix is not ("arXiv" or "arXivRaw"))
                return (OaiError(args, "cannotDisseminateFormat", "Unknown metadata format " + prefix), null);
            offset = 0;
        }

        var list = _papers.Where(p =>
                (set == "" || p.Row.Categories.Any(c => InSet(c, set)))
                && (from == "" || string.CompareOrdinal(p.Day, from) >= 0)
                && (until == "" || string.CompareOrdinal(p.Day, until) <= 0))
            .ToList();
        if (token is not null && offset >= list.Count)
            return (OaiError(args, "badResumptionToken", "Invalid or expired resumptionToken"), null);
        if (list.Count == 0)
            return (OaiError(args, "noRecordsMatch", "No records match"), null);

        var pageSize = Math.Max(1, _options.PageSize);
        var page = list.Skip(offset).Take(pageSize).ToList();
        var next = offset + page.Count;
        var body = OaiEnvelope(args, (w, xxe) =>
        {
            w.WriteStartElement("ListRecords", OaiNs);
            foreach (var paper in page)
                WriteRecord(w, paper, prefix, xxe);
            // An incomplete list carries a token on every page; the page completing it carries an empty one.
            // A list that fits on one page has none (OAI-PMH 2.0, 3.5).
            if (offset > 0 || next < list.Count)
            {
                w.WriteStartElement("resumptionToken", OaiNs);
                w.WriteAttributeString("cursor", offset.ToString(CultureInfo.InvariantCulture));
                w.WriteAttributeString("completeListSize", list.Count.ToString(CultureInfo.InvariantCulture));
                if (next < list.Count)
                    w.WriteString(EncodeToken(prefix, set, from, until, next));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        });
        return (body, offset / pageSize + 1);
    }

    /// <summary>Tells the first title written in a response to start with the external entity (ServeDtd).</summary>
    private sealed class XxeSlot
    {
        public bool Pending { get; set; }
    }

    private byte[] OaiError(Dictionary<string, string>? echo, string code, string message) =>
        OaiEnvelope(echo, (w, _) =>
        {
            w.WriteStartElement("error", OaiNs);
            w.WriteAttributeString("code", code);
            w.WriteString(message);
            w.WriteEndElement();
        });

    /// <summary>
    /// The OAI-PMH envelope, as in the recorded responses: root in the OAI namespace with xsi:schemaLocation,
    /// responseDate, request echoing the arguments (none for badVerb/badArgument, as the protocol says), then the body.
    /// </summary>
    private byte[] OaiEnvelope(Dictionary<string, string>? echo, Action<XmlWriter, XxeSlot> body)
    {
        var xxe = new XxeSlot { Pending = _options.ServeDtd };
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, XmlSettings))
        {
            w.WriteStartDocument();
            if (_options.ServeDtd)
                w.WriteDocType("OAI-PMH", null, null, "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">");
            w.WriteStartElement("OAI-PMH", OaiNs);
            w.WriteAttributeString("xmlns", OaiNs);
            w.WriteAttributeString("xmlns", "xsi", null, XsiNs);
            w.WriteAttributeString("schemaLocation", XsiNs, "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd");
            w.WriteElementString("responseDate", OaiNs, DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteStartElement("request", OaiNs);
            if (echo is not null)
            {
                foreach (var (key, value) in echo.OrderBy(a => a.Key == "verb" ? 0 : 1))
                    w.WriteAttributeString(key, value);
            }
            w.WriteString(OaiUrl);
            w.WriteEndElement();
            body(w, xxe);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return stream.ToArray();
    }

    private void WriteRecord(XmlWriter w, Paper paper, string prefix, XxeSlot xxe)
    {
        var deleted = _options.DeletedIds.Contains(paper.Id);
        w.WriteStartElement("record", OaiNs);
        w.WriteStartElement("header", OaiNs);
        if (deleted)
            w.WriteAttributeString("status", "deleted");
        w.WriteElementString("identifier", OaiNs, "oai:arXiv.org:" + paper.Id);
        w.WriteElementString("datestamp", OaiNs, paper.Day);
        foreach (var spec in paper.Row.Categories.Select(HeaderSetSpec).Distinct().Order(StringComparer.Ordinal))
            w.WriteElementString("setSpec", OaiNs, spec);
        w.WriteEndElement();
        if (!deleted)
        {
            w.WriteStartElement("metadata", OaiNs);
            if (prefix == "arXiv")
                WriteArxivMetadata(w, paper, xxe);
            else
                WriteArxivRawMetadata(w, paper, xxe);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    /// <summary>metadataPrefix=arXiv: authors split into keyname/forenames, created = v1 day, updated = latest version's day.</summary>
    private void WriteArxivMetadata(XmlWriter w, Paper paper, XxeSlot xxe)
    {
        var row = paper.Row;
        w.WriteStartElement("arXiv", ArxivOaiNs);
        w.WriteAttributeString("xmlns", ArxivOaiNs);
        w.WriteAttributeString("xmlns", "xsi", null, XsiNs);
        w.WriteAttributeString("schemaLocation", XsiNs, "http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd");
        w.WriteElementString("id", ArxivOaiNs, paper.Id);
        w.WriteElementString("created", ArxivOaiNs, paper.Day);
        if (paper.V2Day is not null)
            w.WriteElementString("updated", ArxivOaiNs, paper.V2Day);
        w.WriteStartElement("authors", ArxivOaiNs);
        foreach (var name in row.Authors)
        {
            // "First Middle Last" -> keyname Last, forenames "First Middle"; a single word is a keyname alone.
            var space = name.LastIndexOf(' ');
            w.WriteStartElement("author", ArxivOaiNs);
            w.WriteElementString("keyname", ArxivOaiNs, space < 0 ? name : name[(space + 1)..]);
            if (space > 0)
                w.WriteElementString("forenames", ArxivOaiNs, name[..space]);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        WriteTitle(w, ArxivOaiNs, row.Title, xxe);
        w.WriteElementString("categories", ArxivOaiNs, string.Join(' ', row.Categories));
        if (row.Comment is not null)
            w.WriteElementString("comments", ArxivOaiNs, row.Comment);
        WriteRefs(w, ArxivOaiNs, paper.Id);
        w.WriteElementString("license", ArxivOaiNs, License);
        w.WriteElementString("abstract", ArxivOaiNs, ArxivAbstract(row.Summary));
        w.WriteEndElement();
    }

    /// <summary>metadataPrefix=arXivRaw: submitter, one version element per version, authors as one string.</summary>
    private void WriteArxivRawMetadata(XmlWriter w, Paper paper, XxeSlot xxe)
    {
        var row = paper.Row;
        w.WriteStartElement("arXivRaw", ArxivRawNs);
        w.WriteAttributeString("xmlns", ArxivRawNs);
        w.WriteAttributeString("xmlns", "xsi", null, XsiNs);
        w.WriteAttributeString("schemaLocation", XsiNs, "http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd");
        w.WriteElementString("id", ArxivRawNs, paper.Id);
        w.WriteElementString("submitter", ArxivRawNs, row.Authors.FirstOrDefault() ?? "");
        for (var version = 1; version <= paper.Versions; version++)
        {
            w.WriteStartElement("version", ArxivRawNs);
            w.WriteAttributeString("version", "v" + version.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("date", ArxivRawNs, Rfc1123(paper.VersionTime(version)));
            // A made-up but stable size.
            var kb = (row.Summary.Length * 7 + version * 131) % 4000 + 40;
            w.WriteElementString("size", ArxivRawNs, kb.ToString(CultureInfo.InvariantCulture) + "kb");
            w.WriteElementString("source_type", ArxivRawNs, "D");
            w.WriteEndElement();
        }
        WriteTitle(w, ArxivRawNs, row.Title, xxe);
        w.WriteElementString("authors", ArxivRawNs, string.Join(", ", row.Authors));
        w.WriteElementString("categories", ArxivRawNs, string.Join(' ', row.Categories));
        if (row.Comment is not null)
            w.WriteElementString("comments", ArxivRawNs, row.Comment);
        WriteRefs(w, ArxivRawNs, paper.Id);
        w.WriteElementString("license", ArxivRawNs, License);
        w.WriteElementString("abstract", ArxivRawNs, ArxivAbstract(row.Summary));
        w.WriteEndElement();
    }

    private void WriteRefs(XmlWriter w, string ns, string id)
    {
        if (_options.JournalRefs.TryGetValue(id, out var journalRef))
            w.WriteElementString("journal-ref", ns, journalRef);
        if (_options.Dois.TryGetValue(id, out var doi))
            w.WriteElementString("doi", ns, doi);
    }

    private static void WriteTitle(XmlWriter w, string ns, string title, XxeSlot xxe)
    {
        w.WriteStartElement("title", ns);
        if (xxe.Pending)
        {
            // A real entity reference (&xxe;), which no string content could produce.
            w.WriteEntityRef("xxe");
            w.WriteString(" ");
            xxe.Pending = false;
        }
        w.WriteString(title);
        w.WriteEndElement();
    }

    /// <summary>arXiv's OAI and classic Atom abstracts start with two spaces and end with a line break.</summary>
    private static string ArxivAbstract(string summary) => "  " + summary + "\n";

    /// <summary>"cs.LG" -> "cs"; "hep-th" -> "physics:hep-th"; "physics.optics" -> "physics:physics" (as in the fixtures).</summary>
    private static string HeaderSetSpec(string category)
    {
        var archive = Archive(category);
        return TopLevelArchives.Contains(archive) ? archive : "physics:" + archive;
    }

    /// <summary>
    /// Whether a category is in an OAI set: the group ("cs", "physics"), the archive set ("physics:hep-th"), or the
    /// category set ("cs:cs:LG", "physics:astro-ph:astro-ph:CO").
    /// </summary>
    private static bool InSet(string category, string set)
    {
        var spec = HeaderSetSpec(category);
        return set == spec
            || (spec.StartsWith("physics:", StringComparison.Ordinal) && set == "physics")
            || set == spec + ":" + category.Replace('.', ':');
    }

    private static string Archive(string category)
    {
        var dot = category.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? category : category[..dot];
    }

    /// <summary>Tokens are base64url of "prefix|set|from|until|offset|check", check being a hash of the rest.</summary>
    private static string EncodeToken(string prefix, string set, string from, string until, int offset)
    {
        var payload = string.Join('|', prefix, set, from, until, offset.ToString(CultureInfo.InvariantCulture));
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload + "|" + TokenCheck(payload)));
    }

    private static bool TryDecodeToken(string token, out string prefix, out string set, out string from, out string until, out int offset)
    {
        prefix = set = from = until = "";
        offset = 0;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            return false;
        }
        var parts = text.Split('|');
        if (parts.Length != 6 || TokenCheck(string.Join('|', parts[..5])) != parts[5])
            return false;
        (prefix, set, from, until) = (parts[0], parts[1], parts[2], parts[3]);
        return prefix is "arXiv" or "arXivRaw"
            && int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }

    private static string TokenCheck(string payload) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(payload)))[..10];

    private static bool IsDay(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [GeneratedRegex(@"^[a-z][a-z0-9\-]*(:[A-Za-z0-9\-]+)*$")]
    private static partial Regex SetSpecSyntax();

    // ------------------------------------------------------------------------------------------------------------
    // Query API (export.arxiv.org/api/query)

    private async Task QueryAsync(HttpContext ctx)
    {
        var query = ctx.Request.Query;
        var searchQuery = query["search_query"].ToString();
        var idList = query["id_list"].ToString();
        var startText = query["start"].ToString();
        var maxText = query["max_results"].ToString();

        // Two recorded real responses are served byte for byte.
        var normalized = string.Join(' ', searchQuery.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (idList.Length == 0 && normalized == "cat:cs.RO AND (neural)" && startText is "" or "0" && maxText == "2")
        {
            await WriteAsync(ctx, StatusCodes.Status200OK, "application/atom+xml; charset=utf-8", await File.ReadAllBytesAsync(Fixture("query-response.xml"), ctx.RequestAborted));
            return;
        }
        if (idList.Length == 0 && normalized == "cat:cs.RO AND (nonexistentquery)")
        {
            await WriteAsync(ctx, StatusCodes.Status200OK, "application/atom+xml; charset=utf-8", await File.ReadAllBytesAsync(Fixture("query-empty.xml"), ctx.RequestAborted));
            return;
        }

        var start = 0;
        var max = 10;
        string? error = null;
        if (startText != "" && !int.TryParse(startText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out start))
            error = "start must be an integer";
        else if (start < 0)
            error = "start must be non-negative";
        else if (maxText != "" && !int.TryParse(maxText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out max))
            error = "max_results must be an integer";
        else if (max < 0)
            error = "max_results must be non-negative";

        // id_list: every entry must be a well-formed arXiv id (new or old style, optional version suffix).
        var requested = new List<(string Id, int? Version)>();
        foreach (var item in idList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (error is not null)
                break;
            var match = ArxivIdSyntax().Match(item);
            if (!match.Success)
                error = "incorrect id format for " + item;
            else
                requested.Add((match.Groups["id"].Value, match.Groups["v"].Success ? int.Parse(match.Groups["v"].Value, CultureInfo.InvariantCulture) : null));
        }

        var selfQuery = $"search_query={searchQuery}&id_list={idList}&start={startText.DefaultIfEmpty("0")}&max_results={maxText.DefaultIfEmpty("10")}";
        if (error is not null)
        {
            var errorFeed = QueryFeed(selfQuery, total: 1, start: 0, itemsPerPage: 1, [ErrorEntry(error)]);
            await WriteAsync(ctx, StatusCodes.Status400BadRequest, "application/atom+xml; charset=utf-8", Serialize(errorFeed));
            return;
        }

        // Candidates: the listed ids (in list order, unknown ones dropped) or everything, then the search filter.
        List<(Paper Paper, int Version)> hits;
        if (requested.Count > 0)
        {
            hits = [];
            foreach (var (id, version) in requested)
            {
                if (_byId.TryGetValue(id, out var paper) && (version is null || (version >= 1 && version <= paper.Versions)))
                    hits.Add((paper, version ?? paper.Versions));
            }
        }
        else
        {
            hits = searchQuery.Length == 0 ? [] : [.. _papers.Select(p => (p, p.Versions))];
        }
        if (searchQuery.Length > 0)
        {
            var matches = SearchQuery.Parse(searchQuery);
            hits = [.. hits.Where(h => matches(h.Paper))];
        }

        // Sorting: submittedDate / lastUpdatedDate as asked; relevance (the default) = newest first. An id_list
        // alone keeps its own order, as arXiv does.
        var sortBy = query["sortBy"].ToString();
        if (requested.Count == 0 || sortBy.Length > 0)
        {
            var ascending = query["sortOrder"].ToString() == "ascending";
            Func<(Paper Paper, int Version), DateTime> key = sortBy == "lastUpdatedDate"
                ? h => h.Paper.VersionTime(h.Paper.Versions)
                : h => h.Paper.VersionTime(1);
            hits = ascending
                ? [.. hits.OrderBy(key).ThenBy(h => h.Paper.Id, StringComparer.Ordinal)]
                : [.. hits.OrderByDescending(key).ThenByDescending(h => h.Paper.Id, StringComparer.Ordinal)];
        }

        var page = hits.Skip(start).Take(max).Select(h => QueryEntry(h.Paper, h.Version)).ToList();
        var feed = QueryFeed(selfQuery, hits.Count, start, max, page);
        await WriteAsync(ctx, StatusCodes.Status200OK, "application/atom+xml; charset=utf-8", Serialize(feed));
    }

    private static string Fixture(string name) => Path.Combine(TestData.Root, "api-fixtures", "arxiv-atom", name);

    [GeneratedRegex(@"^(?<id>\d{4}\.\d{4,5}|[a-z]+(-[a-z]+)?(\.[A-Z]{2})?/\d{7})(v(?<v>\d+))?$")]
    private static partial Regex ArxivIdSyntax();

    /// <summary>
    /// The query feed's head. Classic: namespaces declared on each opensearch element, title type="html", http
    /// links. Current: namespaces on the root, https links.
    /// </summary>
    private XElement QueryFeed(string selfQuery, int total, int start, int itemsPerPage, IEnumerable<XElement> entries)
    {
        var current = _options.CurrentAtom;
        var feedId = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(selfQuery)))[..27].Replace('/', '+');
        var updated = EasternMidnight(_lastDay);
        XElement OpenSearchElement(string name, int value) =>
            current
                ? new XElement(OpenSearch + name, value)
                : new XElement(OpenSearch + name, new XAttribute(XNamespace.Xmlns + "opensearch", OpenSearch), value);

        if (current)
        {
            var link = "https://arxiv.org/api/query?" + string.Join('&', selfQuery.Split('&').Select(EscapePair));
            return new XElement(Atom + "feed",
                new XAttribute("xmlns", Atom.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "opensearch", OpenSearch),
                new XAttribute(XNamespace.Xmlns + "arxiv", ArxivAtom),
                new XElement(Atom + "id", "https://arxiv.org/api/" + feedId),
                new XElement(Atom + "title", "arXiv Query: " + selfQuery),
                new XElement(Atom + "updated", updated),
                new XElement(Atom + "link", new XAttribute("href", link), new XAttribute("type", "application/atom+xml")),
                OpenSearchElement("itemsPerPage", itemsPerPage),
                OpenSearchElement("totalResults", total),
                OpenSearchElement("startIndex", start),
                entries);
        }
        return new XElement(Atom + "feed",
            new XAttribute("xmlns", Atom.NamespaceName),
            new XElement(Atom + "link",
                new XAttribute("href", "http://arxiv.org/api/query?" + Uri.EscapeDataString(selfQuery)),
                new XAttribute("rel", "self"),
                new XAttribute("type", "application/atom+xml")),
            new XElement(Atom + "title", new XAttribute("type", "html"), "ArXiv Query: " + selfQuery),
            new XElement(Atom + "id", "http://arxiv.org/api/" + feedId),
            new XElement(Atom + "updated", updated),
            OpenSearchElement("totalResults", total),
            OpenSearchElement("startIndex", start),
            OpenSearchElement("itemsPerPage", itemsPerPage),
            entries);
    }

    private static string EscapePair(string pair)
    {
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? Uri.EscapeDataString(pair) : pair[..(eq + 1)] + Uri.EscapeDataString(pair[(eq + 1)..]);
    }

    private XElement QueryEntry(Paper paper, int version)
    {
        var row = paper.Row;
        var current = _options.CurrentAtom;
        var versioned = paper.Id + "v" + version.ToString(CultureInfo.InvariantCulture);
        var web = current ? "https://arxiv.org/" : "http://arxiv.org/";
        var updated = Iso(paper.VersionTime(version));
        var published = Iso(paper.VersionTime(1));
        var authors = row.Authors.Select(a => new XElement(Atom + "author", new XElement(Atom + "name", a)));
        var categories = row.Categories.Select(c =>
            new XElement(Atom + "category", new XAttribute("term", c), new XAttribute("scheme", ArxivAtom.NamespaceName)));
        var alternate = new XElement(Atom + "link",
            new XAttribute("href", web + "abs/" + versioned), new XAttribute("rel", "alternate"), new XAttribute("type", "text/html"));
        var pdf = new XElement(Atom + "link",
            new XAttribute("title", "pdf"), new XAttribute("href", web + "pdf/" + versioned),
            new XAttribute("rel", "related"), new XAttribute("type", "application/pdf"));
        _options.Dois.TryGetValue(paper.Id, out var doi);
        _options.JournalRefs.TryGetValue(paper.Id, out var journalRef);

        // In the classic serialization every arxiv: element declares its namespace itself.
        XElement Arxiv(string name, params object?[] content) =>
            current
                ? new XElement(ArxivAtom + name, content)
                : new XElement(ArxivAtom + name, new XAttribute(XNamespace.Xmlns + "arxiv", ArxivAtom), content);

        if (current)
        {
            return new XElement(Atom + "entry",
                new XElement(Atom + "id", "http://arxiv.org/abs/" + versioned),
                new XElement(Atom + "title", row.Title),
                new XElement(Atom + "updated", updated),
                alternate,
                pdf,
                doi is null ? null : new XElement(Atom + "link",
                    new XAttribute("href", "https://doi.org/" + doi), new XAttribute("rel", "related"), new XAttribute("title", "doi")),
                new XElement(Atom + "summary", row.Summary),
                categories,
                new XElement(Atom + "published", published),
                row.Comment is null ? null : Arxiv("comment", row.Comment),
                journalRef is null ? null : Arxiv("journal_ref", journalRef),
                Arxiv("primary_category", new XAttribute("term", row.Categories[0])),
                doi is null ? null : Arxiv("doi", doi),
                authors);
        }
        return new XElement(Atom + "entry",
            new XElement(Atom + "id", "http://arxiv.org/abs/" + versioned),
            new XElement(Atom + "updated", updated),
            new XElement(Atom + "published", published),
            new XElement(Atom + "title", row.Title),
            new XElement(Atom + "summary", ArxivAbstract(row.Summary)),
            authors,
            doi is null ? null : Arxiv("doi", doi),
            doi is null ? null : new XElement(Atom + "link",
                new XAttribute("title", "doi"), new XAttribute("href", "http://dx.doi.org/" + doi), new XAttribute("rel", "related")),
            row.Comment is null ? null : Arxiv("comment", row.Comment),
            journalRef is null ? null : Arxiv("journal_ref", journalRef),
            alternate,
            pdf,
            Arxiv("primary_category", new XAttribute("term", row.Categories[0]), new XAttribute("scheme", ArxivAtom.NamespaceName)),
            categories);
    }

    /// <summary>arXiv's answer to a bad request: one entry whose id names the error.</summary>
    private XElement ErrorEntry(string message)
    {
        var url = "http://arxiv.org/api/errors#" + message.Replace(' ', '_');
        return new XElement(Atom + "entry",
            new XElement(Atom + "id", url),
            new XElement(Atom + "title", "Error"),
            new XElement(Atom + "summary", message),
            new XElement(Atom + "updated", EasternMidnight(_lastDay)),
            new XElement(Atom + "link", new XAttribute("href", url), new XAttribute("rel", "alternate"), new XAttribute("type", "text/html")),
            new XElement(Atom + "author", new XElement(Atom + "name", "arXiv api core")));
    }

    /// <summary>
    /// A small subset of arXiv's search_query language: field:value terms (cat, submittedDate, lastUpdatedDate,
    /// ti, au, abs, co, id, all; a bare word means all) joined by AND / OR / ANDNOT, evaluated left to right.
    /// Parentheses are ignored; quotes and [A TO B] ranges keep their spaces.
    /// </summary>
    private static class SearchQuery
    {
        public static Func<Paper, bool> Parse(string text)
        {
            var tokens = Tokenize(text);
            Func<Paper, bool> result = _ => true;
            var op = "AND";
            var first = true;
            foreach (var token in tokens)
            {
                if (token is "AND" or "OR" or "ANDNOT")
                {
                    op = token;
                    continue;
                }
                var term = Term(token);
                var left = result;
                result = first ? term : op switch
                {
                    "OR" => p => left(p) || term(p),
                    "ANDNOT" => p => left(p) && !term(p),
                    _ => p => left(p) && term(p),
                };
                first = false;
                op = "AND";
            }
            return first ? _ => false : result;
        }

        private static List<string> Tokenize(string text)
        {
            var tokens = new List<string>();
            var current = new StringBuilder();
            char? closer = null;
            foreach (var c in text)
            {
                if (closer is not null)
                {
                    current.Append(c);
                    if (c == closer)
                        closer = null;
                }
                else if (c is '[' or '"')
                {
                    current.Append(c);
                    closer = c == '[' ? ']' : '"';
                }
                else if (char.IsWhiteSpace(c) || c is '(' or ')')
                {
                    if (current.Length > 0)
                        tokens.Add(current.ToString());
                    current.Clear();
                }
                else
                {
                    current.Append(c);
                }
            }
            if (current.Length > 0)
                tokens.Add(current.ToString());
            return tokens;
        }

        private static Func<Paper, bool> Term(string token)
        {
            var colon = token.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? "all" : token[..colon];
            var value = (colon < 0 ? token : token[(colon + 1)..]).Trim('"');
            switch (field)
            {
                case "cat":
                    return value.EndsWith('*')
                        ? p => p.Row.Categories.Any(c => c.StartsWith(value[..^1], StringComparison.OrdinalIgnoreCase))
                        : p => p.Row.Categories.Any(c => c.Equals(value, StringComparison.OrdinalIgnoreCase));
                case "submittedDate":
                case "lastUpdatedDate":
                    if (!TryRange(value, out var from, out var to))
                        return _ => false;
                    return field == "submittedDate"
                        ? p => p.VersionTime(1) >= from && p.VersionTime(1) <= to
                        : p => p.VersionTime(p.Versions) >= from && p.VersionTime(p.Versions) <= to;
                case "id":
                    return p => p.Id == value;
                default:
                    return p => Fields(p, field).Any(f => f.Contains(value, StringComparison.OrdinalIgnoreCase));
            }
        }

        private static IEnumerable<string> Fields(Paper p, string field) => field switch
        {
            "ti" => [p.Row.Title],
            "au" => p.Row.Authors,
            "abs" => [p.Row.Summary],
            "co" => p.Row.Comment is null ? [] : [p.Row.Comment],
            _ => [p.Row.Title, p.Row.Summary, .. p.Row.Authors, p.Row.Comment ?? ""],
        };

        /// <summary>"[YYYYMMDDHHMM TO YYYYMMDDHHMM]" (also YYYYMMDD or with seconds), both ends inclusive.</summary>
        private static bool TryRange(string value, out DateTime from, out DateTime to)
        {
            from = to = default;
            var parts = value.Trim('[', ']').Split(" TO ", StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !TryStamp(parts[0], out from, out _) || !TryStamp(parts[1], out to, out var width))
                return false;
            to = to + width - TimeSpan.FromTicks(1);
            return true;
        }

        private static bool TryStamp(string text, out DateTime stamp, out TimeSpan width)
        {
            (string Format, TimeSpan Width)[] formats =
                [("yyyyMMddHHmmss", TimeSpan.FromSeconds(1)), ("yyyyMMddHHmm", TimeSpan.FromMinutes(1)), ("yyyyMMdd", TimeSpan.FromDays(1))];
            foreach (var (format, w) in formats)
            {
                if (text.Length == format.Length
                    && DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out stamp))
                {
                    width = w;
                    return true;
                }
            }
            stamp = default;
            width = default;
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Announcement feeds (rss.arxiv.org/atom/cs.LG+cs.CL)

    private async Task AnnouncementFeedAsync(HttpContext ctx, string categories)
    {
        var requested = categories.Split(['+', ' '], StringSplitOptions.RemoveEmptyEntries);
        var day = _options.FeedDay ?? _lastDay;
        var dayDate = DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var stamp = EasternMidnight(day);
        bool Wanted(string category) =>
            requested.Any(r => r.Equals(category, StringComparison.OrdinalIgnoreCase) || (!r.Contains('.', StringComparison.Ordinal) && r == Archive(category)));

        // arXiv announces nothing on weekends; such a day (or one without a listing file) is an empty feed.
        var rows = dayDate.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? [] : Day(day);
        var entries = new List<(int Order, XElement Entry)>();
        foreach (var row in rows)
        {
            if (!row.Categories.Any(Wanted))
                continue;
            // New on this day unless an earlier configured day listed it already.
            var firstListing = !_byId.TryGetValue(row.Id, out var paper) || string.CompareOrdinal(paper.Day, day) >= 0;
            var primary = Wanted(row.Categories[0]);
            var (type, order) = (firstListing, primary) switch
            {
                (true, true) => ("new", 0),
                (true, false) => ("cross", 1),
                (false, true) => ("replace", 2),
                _ => ("replace-cross", 3),
            };
            var versioned = row.Id + (firstListing ? "v1" : "v2");
            entries.Add((order, new XElement(Atom + "entry",
                new XElement(Atom + "id", "oai:arXiv.org:" + versioned),
                new XElement(Atom + "title", row.Title),
                new XElement(Atom + "updated", stamp),
                new XElement(Atom + "link",
                    new XAttribute("href", "https://arxiv.org/abs/" + row.Id), new XAttribute("rel", "alternate"), new XAttribute("type", "text/html")),
                new XElement(Atom + "summary", $"arXiv:{versioned} Announce Type: {type} \nAbstract: {OneLine(row.Summary)}"),
                row.Categories.Select(c => new XElement(Atom + "category", new XAttribute("term", c))),
                new XElement(Atom + "published", stamp),
                new XElement(ArxivAtom + "announce_type", type),
                new XElement(Dc + "rights", License),
                new XElement(Dc + "creator", string.Join(", ", row.Authors)))));
        }

        var names = string.Join(", ", requested);
        var self = "http://rss.arxiv.org/atom/" + string.Join('+', requested);
        var feed = new XElement(Atom + "feed",
            new XAttribute("xmlns", Atom.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "arxiv", ArxivAtom),
            new XAttribute(XNamespace.Xmlns + "dc", Dc),
            new XAttribute(XNamespace.Xmlns + "content", Content),
            new XElement(Atom + "id", self),
            new XElement(Atom + "title", names + " updates on arXiv.org"),
            new XElement(Atom + "updated", stamp),
            new XElement(Atom + "link", new XAttribute("href", self), new XAttribute("rel", "self"), new XAttribute("type", "application/atom+xml")),
            new XElement(Atom + "subtitle", names + " updates on the arXiv.org e-print archive."),
            // Real feeds list new submissions, then cross-lists, then replacements (stable within each group).
            entries.OrderBy(e => e.Order).Take(Math.Max(0, _options.FeedMaxEntries)).Select(e => e.Entry));
        await WriteAsync(ctx, StatusCodes.Status200OK, "application/atom+xml; charset=utf-8", Serialize(feed));
    }

    /// <summary>The feeds' abstracts are one line: arXiv's hard line breaks become spaces.</summary>
    private static string OneLine(string text) => string.Join(' ', text.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // ------------------------------------------------------------------------------------------------------------
    // Data and formatting helpers

    /// <summary>One listing line (first occurrence of its id within that day's file).</summary>
    private sealed record Row(string Id, string Title, string[] Authors, string[] Categories, string? Comment, string Summary);

    /// <summary>A unique paper: its first listing (row and day) and, when it has one, the day of v2.</summary>
    private sealed class Paper(Row row, string day)
    {
        public Row Row { get; } = row;
        public string Id => Row.Id;
        public string Day { get; } = day;
        public List<string> ListedOn { get; } = [day];
        public string? V2Day { get; set; }
        public int Versions => V2Day is null ? 1 : 2;

        /// <summary>When a version was submitted: 17:59:59 UTC on its day (v1 = the listing day).</summary>
        public DateTime VersionTime(int version) =>
            DateOnly.ParseExact(version >= 2 && V2Day is not null ? V2Day : Day, "yyyy-MM-dd", CultureInfo.InvariantCulture)
                .ToDateTime(new TimeOnly(17, 59, 59), DateTimeKind.Utc);
    }

    /// <summary>A listing day's rows (cached; empty when there is no file for that day).</summary>
    private List<Row> Day(string day) => _days.GetOrAdd(day, d => ReadListing(_options.ListingPath(d)));

    private static List<Row> ReadListing(string path)
    {
        var rows = new List<Row>();
        if (!File.Exists(path))
            return rows;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var file = File.OpenRead(path);
        using var reader = new StreamReader(path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            using var json = JsonDocument.Parse(line);
            var r = json.RootElement;
            var id = r.GetProperty("id").GetString() ?? "";
            if (id.Length == 0 || !seen.Add(id))
                continue;
            string[] Strings(string name) =>
                r.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray().Select(e => Clean(e.GetString()))] : [];
            string? Text(string name) =>
                r.TryGetProperty(name, out var s) && s.ValueKind == JsonValueKind.String ? Clean(s.GetString()) : null;
            var categories = Strings("categories");
            rows.Add(new Row(id, Text("title") ?? "", Strings("authors"), categories.Length > 0 ? categories : ["cs.LG"], Text("comment"), Text("summary") ?? ""));
        }
        return rows;
    }

    /// <summary>Drops characters XML cannot carry (control characters, lone surrogates).</summary>
    private static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i))
            {
                sb.Append(text, i, 2);
                i++;
            }
            else if (XmlConvert.IsXmlChar(text[i]))
            {
                sb.Append(text[i]);
            }
        }
        return sb.ToString();
    }

    private static byte[] Serialize(XElement root)
    {
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, XmlSettings))
            new XDocument(root).Save(w);
        return stream.ToArray();
    }

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>arXiv's RFC 1123 style, day of month unpadded: "Tue, 18 Mar 2025 17:59:59 GMT".</summary>
    private static string Rfc1123(DateTime utc) => utc.ToString("ddd, d MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture);

    /// <summary>Midnight in New York (arXiv's clock) on a day: "2025-03-20T00:00:00-04:00".</summary>
    private static string EasternMidnight(string day)
    {
        var date = DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        // US daylight saving time runs from the second Sunday of March to the first Sunday of November (both at
        // 2 a.m., so midnight on the first of those days is still standard time, and on the second still daylight).
        var dstStart = NthSunday(date.Year, 3, 2);
        var dstEnd = NthSunday(date.Year, 11, 1);
        var offset = date > dstStart && date <= dstEnd ? TimeSpan.FromHours(-4) : TimeSpan.FromHours(-5);
        return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    private static DateOnly NthSunday(int year, int month, int n)
    {
        var first = new DateOnly(year, month, 1);
        var toSunday = ((int)DayOfWeek.Sunday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(toSunday + 7 * (n - 1));
    }
}

file static class StringExtensions
{
    public static string DefaultIfEmpty(this string text, string fallback) => text.Length == 0 ? fallback : text;
}
