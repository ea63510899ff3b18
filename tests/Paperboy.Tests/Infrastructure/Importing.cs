using Paperboy.Core.Import;
using Paperboy.Core.Papers;

namespace Paperboy.Tests.Infrastructure;

public static class Importing
{
    public static async Task<ImportSummary> ImportAsync(IPaperStore store, params string[] paths) =>
        await ImportAsync(store, new ImportOptions(), paths);

    public static async Task<ImportSummary> ImportAsync(IPaperStore store, ImportOptions options, params string[] paths) =>
        await new Importer(store).ImportAsync(Importer.ExpandPaths(paths), options, new Recorder(), CancellationToken.None);

    /// <summary>Progress that only remembers problems.</summary>
    public sealed class Recorder : IImportProgress
    {
        public List<string> Problems { get; } = [];
        public void FileStarted(string path, long length) { }
        public void Advanced(long position) { }
        public void FileFinished(string path, ImportCounts counts) { }
        public void Problem(string message) => Problems.Add(message);
    }

    /// <summary>A listing line in arXiv's format, with made-up text.</summary>
    public static string ListingLine(string id, string title, string summary = "An abstract\nwrapped  by arXiv.", string[]? authors = null, string[]? categories = null) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            id,
            pdf = "https://arxiv.org/pdf/" + id,
            abs = "https://arxiv.org/abs/" + id,
            authors = authors ?? ["Ada Lovelace", "Alan Turing"],
            title,
            categories = categories ?? ["cs.LG", "stat.ML"],
            comment = (string?)null,
            summary,
        });

    public static string Write(TestData.TempDir dir, string name, params string[] lines)
    {
        var path = dir.File(name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }
}
