using System.Diagnostics;
using System.Xml.Linq;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Bench;

/// <summary>The harvest benchmark's local arXiv, and its baseline: fetching and parsing the pages, storing nothing.</summary>
internal static class Harvest
{
    /// <summary>
    /// Serves every listing day in the folder until stdin closes; prints the OAI URL first. <c>--feed-day DAY</c>: the
    /// day the announcement feeds announce (default the last); <c>--log FILE</c>: every request's path, one a line,
    /// written when it stops (bench/cluster.sh counts the daily ingestion's reads with it).
    /// </summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        var days = Directory.GetFiles(args[0], "*.jsonl.gz").Select(f => Path.GetFileName(f)[..10]).Order(StringComparer.Ordinal).ToArray();
        var options = new FakeArxivOptions { ListingDays = days, PageSize = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) };
        string? log = null;
        for (var i = 2; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--feed-day")
                options.FeedDay = args[i + 1];
            else if (args[i] == "--log")
                log = args[i + 1];
        }
        await using var fake = await FakeArxiv.StartAsync(options);
        Console.WriteLine(fake.OaiUrl);
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
        if (log is not null)
            await File.WriteAllLinesAsync(log, fake.Requests.Select(r => $"{r.ArrivedUtc:O}\t{r.StatusCode}\t{r.PathAndQuery}"));
        return 0;
    }

    /// <summary>Pages through ListRecords with a plain HttpClient and XDocument: the floor under a harvest.</summary>
    public static async Task<int> FetchOnlyAsync(string[] args)
    {
        XNamespace oai = "http://www.openarchives.org/OAI/2.0/";
        using var http = new HttpClient();
        var sw = Stopwatch.StartNew();
        var url = $"{args[0]}?verb=ListRecords&metadataPrefix=arXivRaw&set={args[1]}&from={args[2]}";
        long records = 0;
        while (true)
        {
            var doc = XDocument.Parse(await http.GetStringAsync(new Uri(url)));
            var list = doc.Root!.Element(oai + "ListRecords")!;
            records += list.Elements(oai + "record").Count();
            var token = list.Element(oai + "resumptionToken")?.Value;
            if (string.IsNullOrEmpty(token))
                break;
            url = $"{args[0]}?verb=ListRecords&resumptionToken={Uri.EscapeDataString(token)}";
        }
        Console.WriteLine($"fetch-only: {records:N0} records in {sw.Elapsed.TotalSeconds:N2} s ({records / sw.Elapsed.TotalSeconds:N0} records/s)");
        return 0;
    }
}
