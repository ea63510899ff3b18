using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Hosting;

namespace Paperboy.Tests.Infrastructure;

public static class Ingestion
{
    /// <summary>Settings that point Paperboy's arXiv clients at a FakeArxiv, with a short interval.</summary>
    public static Dictionary<string, string?> ArxivSettings(FakeArxiv fake, TimeSpan interval) => new()
    {
        ["Arxiv:OaiUrl"] = fake.OaiUrl,
        ["Arxiv:QueryUrl"] = fake.QueryUrl,
        ["Arxiv:FeedUrl"] = fake.FeedUrl,
        ["Arxiv:RequestInterval"] = interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["Arxiv:RetryDelay"] = "00:00:00.050",
        ["Arxiv:MaxRetries"] = "3",
        ["Arxiv:ContactEmail"] = "ops@example.org",
        ["Arxiv:Schedule:Categories"] = "cs.CL",
        ["Arxiv:Schedule:OaiSet"] = "cs",
    };

    /// <summary>The services `serve` and the CLI verbs use, over the test's database and the fake arXiv.</summary>
    public static ServiceProvider Services(TestStore db, FakeArxiv fake, TimeSpan? interval = null)
    {
        var settings = new Dictionary<string, string?>(db.Settings);
        foreach (var (k, v) in ArxivSettings(fake, interval ?? TimeSpan.Zero))
            settings[k] = v;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddPaperboyCore(config).BuildServiceProvider();
    }

    /// <summary>Unique ids of the listing days whose papers are in an arXiv group (any category "cs.…").</summary>
    public static HashSet<string> IdsInGroup(string group, params string[] days)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var day in days)
        {
            using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(TestData.Listing(day)), System.IO.Compression.CompressionMode.Decompress));
            while (reader.ReadLine() is { } line)
            {
                using var doc = System.Text.Json.JsonDocument.Parse(line);
                if (doc.RootElement.GetProperty("categories").EnumerateArray().Any(c => c.GetString()!.StartsWith(group + ".", StringComparison.Ordinal)))
                    ids.Add(doc.RootElement.GetProperty("id").GetString()!);
            }
        }
        return ids;
    }

    public sealed class Lines : Paperboy.Core.Ingest.IIngestProgress
    {
        public List<string> Reports { get; } = [];
        public List<string> Problems { get; } = [];
        public void Report(string line) => Reports.Add(line);
        public void Problem(string message) => Problems.Add(message);
    }
}
