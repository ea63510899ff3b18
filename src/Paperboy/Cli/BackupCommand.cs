using System.CommandLine;
using System.Text.Json;
using Paperboy.Core.Papers;
using Paperboy.Core.Search.FullText;

namespace Paperboy.Cli;

/// <summary>
/// <c>paperboy backup DIR</c> and <c>paperboy restore DIR</c>: the SQLite database (online backup, while serve or an
/// import goes on) and the search index files. The index files are copied first, so they are never ahead of the
/// database copy; a restored node's indexes catch up from their saved cursors, and an index copy that does not open
/// (it changed while being copied) is left out and rebuilt from the database on restore.
/// </summary>
internal static class BackupCommand
{
    private const string Manifest = "backup.json";

    public static Command CreateBackup()
    {
        var dir = new Argument<string>("DIR") { Description = "An empty or new folder for the backup" };
        var cmd = new Command("backup", "Back up the SQLite database (online: serve and imports may keep running) and the search index files into DIR") { dir };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var target = Path.GetFullPath(parse.GetValue(dir)!);
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
                throw new IOException($"{target}: not empty; a backup goes into an empty or new folder");
            var data = Path.GetFullPath(parse.GetValue(PaperboyCli.Data)!);
            await using var host = await CliHost.StartAsync(parse, ct);
            var store = host.Get<IPaperStore>();
            Directory.CreateDirectory(target);
            var keyword = CopyIndexes(Path.Combine(data, "index"), Path.Combine(target, "index"));
            await store.BackupToAsync(target, ct);

            // What the copy holds, read from the copy itself: restore and `paperboy status` there must say the same.
            await using var copy = Storage.Sqlite.SqliteStorage.Open(target);
            var status = await copy.GetStatusAsync(ct);
            var manifest = new BackupManifest(DateTimeOffset.UtcNow, status.Provider, status.Papers, status.ListingDays, status.NewestListingDay,
                await copy.GetChangeStampAsync(ct), keyword);
            await File.WriteAllTextAsync(Path.Combine(target, Manifest), JsonSerializer.Serialize(manifest, Json), ct);
            Console.WriteLine($"Backed up {status.Papers:N0} papers, {status.ListingDays:N0} listing days (newest {status.NewestListingDay?.ToString("yyyy-MM-dd") ?? "none"}) to {target}; keyword index {keyword}");
            return 0;
        }));
        return cmd;
    }

    public static Command CreateRestore()
    {
        var dir = new Argument<string>("DIR") { Description = "A folder made by paperboy backup" };
        var force = new Option<bool>("--force") { Description = "Replace a database already in the data directory" };
        var cmd = new Command("restore", "Restore a backup into the data directory (--data); then serve or index brings the search indexes up to date") { dir, force };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var source = Path.GetFullPath(parse.GetValue(dir)!);
            var manifestPath = Path.Combine(source, Manifest);
            if (!File.Exists(manifestPath) || !File.Exists(Path.Combine(source, "paperboy.db")))
                throw new IOException($"{source}: not a Paperboy backup (no {Manifest} and paperboy.db)");
            var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(manifestPath, ct), Json)
                ?? throw new IOException($"{manifestPath}: empty");
            var data = Path.GetFullPath(parse.GetValue(PaperboyCli.Data)!);
            var db = Path.Combine(data, "paperboy.db");
            if (File.Exists(db) && !parse.GetValue(force))
                throw new IOException($"{data} already has a database; restore into a new data directory, or add --force to replace it (stop serve first)");
            Directory.CreateDirectory(data);
            foreach (var stale in new[] { db, db + "-wal", db + "-shm" })
                File.Delete(stale);
            var index = Path.Combine(data, "index");
            if (Directory.Exists(index))
                Directory.Delete(index, recursive: true);
            CopyFile(Path.Combine(source, "paperboy.db"), db);
            if (Directory.Exists(Path.Combine(source, "index")))
                CopyTree(Path.Combine(source, "index"), index);
            await using var host = await CliHost.StartAsync(parse, ct); // migrates a backup made by an older version
            var status = await host.Get<IPaperStore>().GetStatusAsync(ct);
            Console.WriteLine($"Restored the backup of {manifest.Created:yyyy-MM-dd HH:mm:ss} UTC into {data}: {status.Papers:N0} papers, {status.ListingDays:N0} listing days" +
                (manifest.KeywordIndex == "copied" ? "" : "; the keyword index is rebuilt from the database by serve or `paperboy index`"));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Copies the index folder; returns "copied", or why the keyword index was left out (the restore rebuilds it).</summary>
    private static string CopyIndexes(string from, string to)
    {
        if (!Directory.Exists(from))
            return "none (rebuilt on restore)";
        Directory.CreateDirectory(to);
        // Vector snapshots are written whole and renamed into place: a copy is of one complete file.
        foreach (var file in Directory.GetFiles(from, "vectors-*.usearch"))
            CopyFile(file, Path.Combine(to, Path.GetFileName(file)));
        // The cursor before the index: the copy's index is at least as new as its cursor, and catching up again is harmless.
        var cursor = Path.Combine(from, "fulltext.cursor");
        if (!File.Exists(cursor) || !Directory.Exists(Path.Combine(from, "fulltext")))
            return "none (rebuilt on restore)";
        CopyFile(cursor, Path.Combine(to, "fulltext.cursor"));
        var fullText = Path.Combine(to, "fulltext");
        try
        {
            CopyTree(Path.Combine(from, "fulltext"), fullText, skip: "write.lock");
            using var check = new FullTextIndex(fullText);
            return $"copied ({check.Count:N0} papers)";
        }
        catch (Exception ex) when (ex is IOException or Lucene.Net.Index.CorruptIndexException)
        {
            // Lucene merged and deleted files while they were copied: leave it out; the database has everything.
            Directory.Delete(fullText, recursive: true);
            File.Delete(Path.Combine(to, "fulltext.cursor"));
            return $"left out ({ex.Message}); rebuilt on restore";
        }
    }

    private static void CopyTree(string from, string to, string? skip = null)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            if (Path.GetFileName(file) != skip)
                CopyFile(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var sub in Directory.GetDirectories(from))
            CopyTree(sub, Path.Combine(to, Path.GetFileName(sub)), skip);
    }

    private static void CopyFile(string from, string to)
    {
        var tmp = to + ".tmp";
        File.Copy(from, tmp, overwrite: true);
        File.Move(tmp, to, overwrite: true);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record BackupManifest(DateTimeOffset Created, string Provider, long Papers, long ListingDays, DateOnly? NewestListingDay, long ChangeStamp, string KeywordIndex);
}
