using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Paperboy.Core.Search;
using Paperboy.Storage.Sqlite;
using Paperboy.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Paperboy.Tests.Cli;

/// <summary>`paperboy backup` while `paperboy import` writes, then `paperboy restore` into a new data directory.</summary>
public sealed class BackupProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestData.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "paperboy.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["PAPERBOY_Storage__Provider"] = "sqlite";
        psi.Environment["PAPERBOY_Search__Semantic"] = "false";
        return Process.Start(psi)!;
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (p.ExitCode, await stdout, await stderr);
    }

    private string Listings(string name, IEnumerable<string> files)
    {
        var folder = Directory.CreateDirectory(_dir.File(name)).FullName;
        foreach (var f in files)
            File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(f)), f);
        return folder;
    }

    private static long Papers(string data)
    {
        using var conn = new SqliteConnection($"Data Source={Path.Combine(data, "paperboy.db")};Mode=ReadOnly;Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM papers";
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_backup_taken_while_an_import_writes_restores_to_the_same_answers_as_its_moment()
    {
        var all = Directory.GetFiles(TestData.Listings, "*.jsonl.gz").Order(StringComparer.Ordinal).ToList();
        var source = _dir.File("source");
        Assert.Equal(0, (await RunAsync("import", Listings("first", all.Take(3)), "--data", source)).Code);
        Assert.Equal(0, (await RunAsync("index", "--data", source)).Code); // the keyword index on disk, with its cursor
        var before = Papers(source);

        using var import = Start("import", Listings("more", all.Skip(3).Take(200)), "--data", source);
        var importErr = import.StandardError.ReadToEndAsync();
        while (Papers(source) == before && !import.HasExited)
            await Task.Delay(50);
        var backup = _dir.File("backup");
        var taken = await RunAsync("backup", backup, "--data", source);
        var importStillRan = !import.HasExited;
        await import.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        output.WriteLine(taken.Out + taken.Err);
        Assert.True(taken.Code == 0, taken.Err);
        Assert.True(importStillRan, "the import finished before the backup did: nothing was written during it");
        Assert.Equal(0, import.ExitCode);
        _ = await importErr;

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(backup, "backup.json")));
        var atBackup = manifest.RootElement.GetProperty("papers").GetInt64();
        var final = Papers(source);
        output.WriteLine($"papers: {before} before the import, {atBackup} in the backup, {final} after");
        Assert.InRange(atBackup, before + 1, final - 1); // taken mid-import, and consistent

        var restored = _dir.File("restored");
        var restore = await RunAsync("restore", backup, "--data", restored);
        Assert.True(restore.Code == 0, restore.Err);
        var again = await RunAsync("restore", backup, "--data", restored);
        Assert.Equal(1, again.Code); // never over a database without --force
        Assert.Contains("--force", again.Err, StringComparison.Ordinal);
        var status = await RunAsync("status", "--json", "--data", restored);
        using (var s = JsonDocument.Parse(status.Out))
        {
            Assert.Equal(atBackup, s.RootElement.GetProperty("papers").GetInt64());
            Assert.Equal(manifest.RootElement.GetProperty("listingDays").GetInt64(), s.RootElement.GetProperty("listingDays").GetInt64());
        }

        // The restored node's keyword index (the copied files, caught up from their cursor) answers as one rebuilt
        // from the restored database alone.
        var rebuilt = Directory.CreateDirectory(_dir.File("rebuilt")).FullName;
        File.Copy(Path.Combine(restored, "paperboy.db"), Path.Combine(rebuilt, "paperboy.db"));
        var options = new SearchOptions { Semantic = false };
        await using var restoredStore = SqliteStorage.Open(restored);
        await using var rebuiltStore = SqliteStorage.Open(rebuilt);
        using var restoredSearch = new SearchEngine(restoredStore, options, restored, NullLogger<SearchEngine>.Instance);
        using var rebuiltSearch = new SearchEngine(rebuiltStore, options, rebuilt, NullLogger<SearchEngine>.Instance);
        var caughtUp = await restoredSearch.Upkeep.CatchUpAsync(null, CancellationToken.None);
        await rebuiltSearch.Upkeep.CatchUpAsync(null, CancellationToken.None);
        output.WriteLine($"restored index: {caughtUp.Indexed} papers indexed on catching up; {restoredSearch.FullText.Count} in all");
        Assert.Equal(atBackup, restoredSearch.FullText.Count);
        Assert.Equal(rebuiltSearch.FullText.Count, restoredSearch.FullText.Count);
        foreach (var q in new[] { "language model", "diffusion image generation", "graph neural network", "reinforcement learning reward" })
        {
            var a = await restoredSearch.SearchAsync(new SearchRequest(q, SearchMode.Keyword, Limit: 20), CancellationToken.None);
            var b = await rebuiltSearch.SearchAsync(new SearchRequest(q, SearchMode.Keyword, Limit: 20), CancellationToken.None);
            Assert.NotEmpty(a.Hits);
            Assert.Equal(b.Hits.Select(h => h.Paper.Id), a.Hits.Select(h => h.Paper.Id));
        }
    }
}
