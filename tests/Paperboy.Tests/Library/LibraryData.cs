using System.IO.Compression;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Library;

/// <summary>Real papers for the library's tests, picked by id from ../shared/data/arxiv-listings, and the services over a test store.</summary>
public static class LibraryData
{
    /// <summary>Papers whose titles hold what BibTeX and LaTeX are touchy about (math, &amp;, %, _, #, a lone $, accents, commands).</summary>
    public static readonly (string Day, string Id)[] Touchy =
    [
        ("2025-03-18", "2503.12827"), // GSBAK$^K$: $top$-$K$ ...
        ("2025-03-18", "2503.12141"), // ... Analyzer & Fuzzy Logic
        ("2025-03-18", "2503.11742"), // author Moreno D'Incà
        ("2025-03-18", "2503.13441"), // Humanoid Policy ~ Human Policy
        ("2025-03-19", "2503.13961"), // Bézier
        ("2025-03-20", "2503.15457"), // Di$\mathtt{[M]}$O
        ("2025-03-25", "2503.18652"), // $\ell_1$
        ("2025-03-27", "2503.20279"), // agentic_security
        ("2025-04-02", "2504.00454"), // FA^{3}-CLIP
        ("2025-04-25", "2504.17343"), // 80% Visual Tokens
        ("2025-05-27", "2505.18542"), // \textit{Rule}sual
        ("2025-06-24", "2506.18185"), // #SMM4H
        ("2025-07-23", "2507.16116"), // $500
    ];

    /// <summary>Imports just these papers, each from its day's real listing line, under that day.</summary>
    public static async Task<IReadOnlyList<string>> ImportAsync(IPaperStore store, TestData.TempDir dir, params (string Day, string Id)[] papers)
    {
        var files = new List<string>();
        foreach (var day in papers.GroupBy(p => p.Day))
        {
            var wanted = day.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var lines = new List<string>();
            using (var reader = new StreamReader(new GZipStream(File.OpenRead(TestData.Listing(day.Key)), CompressionMode.Decompress)))
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    using var doc = System.Text.Json.JsonDocument.Parse(line);
                    if (wanted.Remove(doc.RootElement.GetProperty("id").GetString()!))
                        lines.Add(line);
                }
            }
            Assert.True(wanted.Count == 0, $"not in {day.Key}: {string.Join(", ", wanted)}");
            files.Add(Importing.Write(dir, day.Key + ".jsonl", [.. lines]));
        }
        var summary = await Importing.ImportAsync(store, [.. files]);
        Assert.Equal(0, summary.Counts.Rejected);
        return papers.Select(p => p.Id).ToList();
    }

    /// <summary>The services `serve` uses (every store), over the test's database.</summary>
    public static ServiceProvider Services(TestStore db)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(db.Settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddPaperboyCore(config).BuildServiceProvider();
    }
}
