using System.Globalization;
using System.Net;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Ingest.Arxiv;

/// <summary>arXiv's three interfaces, as Paperboy uses them. Every call goes through <see cref="ArxivHttp"/>.</summary>
public sealed class ArxivClient(ArxivHttp http, ArxivOptions options)
{
    public const int MaxIdsPerQuery = 100;

    public async Task<OaiPage> ListRecordsAsync(string metadataPrefix, string set, DateOnly? from, DateOnly? until, string? resumptionToken, string where, CancellationToken ct)
    {
        var query = resumptionToken is not null
            ? $"verb=ListRecords&resumptionToken={Uri.EscapeDataString(resumptionToken)}"
            : $"verb=ListRecords&metadataPrefix={Uri.EscapeDataString(metadataPrefix)}&set={Uri.EscapeDataString(set)}"
              + (from is { } f ? "&from=" + Iso(f) : "") + (until is { } u ? "&until=" + Iso(u) : "");
        var response = await http.GetAsync(With(options.OaiUrl, query), ct);
        if (response.Status != HttpStatusCode.OK)
            throw new ArxivUnavailableException($"{where}: HTTP {(int)response.Status} from {response.Url}");
        return OaiPmhParser.Parse(response.Body, where);
    }

    /// <summary>Looks papers up by id (versions allowed); ids arXiv does not know are simply absent.</summary>
    public async Task<AtomFeed> GetByIdsAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        if (ids.Count is 0 or > MaxIdsPerQuery)
            throw new ArgumentOutOfRangeException(nameof(ids), $"give 1 to {MaxIdsPerQuery} ids");
        return await QueryAsync($"id_list={string.Join(",", ids.Select(Uri.EscapeDataString))}&start=0&max_results={ids.Count}", "arXiv query by id", ct);
    }

    /// <summary>Papers of a category submitted in a date range, one page (arXiv caps pages; page with start).</summary>
    public Task<AtomFeed> SearchAsync(string category, DateOnly from, DateOnly until, int start, int maxResults, CancellationToken ct)
    {
        var q = $"cat:{category} AND submittedDate:[{from:yyyyMMdd}0000 TO {until:yyyyMMdd}2359]";
        return QueryAsync($"search_query={Uri.EscapeDataString(q)}&start={start}&max_results={maxResults}&sortBy=submittedDate&sortOrder=ascending",
            $"arXiv query '{q}' from {start}", ct);
    }

    private async Task<AtomFeed> QueryAsync(string query, string where, CancellationToken ct)
    {
        var response = await http.GetAsync(With(options.QueryUrl, query), ct);
        // A bad query is a 400 whose body is a feed with an error entry: let the parser say what arXiv said.
        if (response.Status is not (HttpStatusCode.OK or HttpStatusCode.BadRequest))
            throw new ArxivUnavailableException($"{where}: HTTP {(int)response.Status} from {response.Url}");
        return AtomParser.ParseQuery(response.Body, where);
    }

    public async Task<AtomFeed> AnnouncementsAsync(IReadOnlyList<string> categories, CancellationToken ct)
    {
        if (categories.Count == 0 || !categories.All(Categories.IsValid))
            throw new ArgumentException("give arXiv categories such as cs.LG", nameof(categories));
        var url = new Uri(options.FeedUrl.ToString().TrimEnd('/') + "/" + string.Join("+", categories));
        var where = $"announcement feed {string.Join("+", categories)}";
        var response = await http.GetAsync(url, ct);
        if (response.Status != HttpStatusCode.OK)
            throw new ArxivUnavailableException($"{where}: HTTP {(int)response.Status} from {url}");
        return AtomParser.ParseAnnouncements(response.Body, where);
    }

    private static Uri With(Uri baseUrl, string query) => new(baseUrl.GetLeftPart(UriPartial.Path) + "?" + query);

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
