using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Paperboy.Bench;

// Baseline for bench/import.sh: the least work that stores the same rows. Reads every listing file, parses each
// line, and bulk-inserts (id, title, authors, abstract, categories, day) with Microsoft.Data.Sqlite in WAL mode,
// 2,000 rows per transaction. No merging, history, validation or listing days: what Paperboy's import costs above this
// is the price of those.
internal static class BaselineInsert
{
public static int Run(string[] args)
{
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Paperboy.Bench baseline-insert LISTINGS_DIR DATA_DIR");
    return 2;
}
var files = Directory.GetFiles(args[0], "*.jsonl.gz").Order(StringComparer.Ordinal).ToArray();
Directory.CreateDirectory(args[1]);
var dbPath = Path.Combine(args[1], "baseline.db");
File.Delete(dbPath);
using var conn = new SqliteConnection($"Data Source={dbPath}");
conn.Open();
using (var setup = conn.CreateCommand())
{
    setup.CommandText = """
        PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
        CREATE TABLE papers (id TEXT PRIMARY KEY, title TEXT, authors TEXT, abstract TEXT, categories TEXT, day TEXT);
        """;
    setup.ExecuteNonQuery();
}
var sw = Stopwatch.StartNew();
long records = 0;
var tx = conn.BeginTransaction();
using var insert = conn.CreateCommand();
insert.CommandText = "INSERT OR IGNORE INTO papers VALUES (@id, @title, @authors, @abstract, @categories, @day)";
var pId = insert.Parameters.Add("@id", SqliteType.Text);
var pTitle = insert.Parameters.Add("@title", SqliteType.Text);
var pAuthors = insert.Parameters.Add("@authors", SqliteType.Text);
var pAbstract = insert.Parameters.Add("@abstract", SqliteType.Text);
var pCats = insert.Parameters.Add("@categories", SqliteType.Text);
var pDay = insert.Parameters.Add("@day", SqliteType.Text);
foreach (var file in files)
{
    var day = Path.GetFileName(file)[..10];
    using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress));
    string? line;
    while ((line = reader.ReadLine()) is not null)
    {
        using var doc = JsonDocument.Parse(line);
        var o = doc.RootElement;
        pId.Value = o.GetProperty("id").GetString();
        pTitle.Value = o.GetProperty("title").GetString();
        pAuthors.Value = o.GetProperty("authors").GetRawText();
        pAbstract.Value = o.GetProperty("summary").GetString();
        pCats.Value = o.GetProperty("categories").GetRawText();
        pDay.Value = day;
        insert.Transaction = tx;
        insert.ExecuteNonQuery();
        if (++records % 2000 == 0)
        {
            tx.Commit();
            tx.Dispose();
            tx = conn.BeginTransaction();
        }
    }
}
tx.Commit();
tx.Dispose();
Console.WriteLine($"baseline: {records:N0} records in {sw.Elapsed.TotalSeconds:N2} s ({records / sw.Elapsed.TotalSeconds:N0} records/s)");
return 0;
}
}
