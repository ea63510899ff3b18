namespace Paperboy.Tests.Infrastructure;

/// <summary>Paths into ../shared/data (real data, read by path, never copied into the repo).</summary>
public static class TestData
{
    public static string Root { get; } = FindShared();

    public static string Listings => Path.Combine(Root, "arxiv-listings");
    public static string Listing(string day) => Path.Combine(Listings, day + ".jsonl.gz");

    /// <summary>
    /// The UTC days (yyyy-MM-dd) from <paramref name="since"/> until now, shifted by <paramref name="offset"/> days:
    /// one day, or two when midnight passed while the test ran. "Today" in a result is one of them.
    /// </summary>
    public static string[] UtcDaysSince(DateTime since, int offset = 0) =>
        [.. new[] { since, DateTime.UtcNow }.Select(d => d.AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).Distinct()];
    public static string Kaggle => Path.Combine(Root, "arxiv-kaggle-sample", "arxiv-metadata-oai-snapshot.sample.jsonl");
    public static string HfDaily => Path.Combine(Root, "api-fixtures", "hf-daily-papers", "daily_papers.json");
    public static string SeedPage => Path.Combine(Root, "seed-page", "papers.jsonl");

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(Path.Combine(candidate, "arxiv-listings")))
                return candidate;
        }
        throw new DirectoryNotFoundException("../shared/data was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh temporary folder, removed when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("paperboy-test-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
