using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Paperboy.Bench;

// PostgreSQL baseline for bench/import.sh: the least work that stores the same rows. Reads every listing file,
// parses each line, and binary-COPYs (id, title, authors, abstract, categories, day) into a table of those columns
// (text, jsonb, date), 2,000 rows per COPY and transaction, as Paperboy's batches. No key (a bare COPY cannot skip
// the papers that come back on later days), no merging, history, validation or listing days: what Paperboy's import
// costs above this is the price of those.
internal static class BaselineCopy
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Paperboy.Bench baseline-copy LISTINGS_DIR CONNECTION_STRING (its Search Path names the schema to use)");
            return 2;
        }
        var files = Directory.GetFiles(args[0], "*.jsonl.gz").Order(StringComparer.Ordinal).ToArray();
        var builder = new NpgsqlConnectionStringBuilder(args[1]);
        var schema = builder.SearchPath ?? throw new ArgumentException("the connection string needs a Search Path (the schema to use)");
        await using var conn = new NpgsqlConnection(builder.ConnectionString);
        await conn.OpenAsync();
        await using (var setup = new NpgsqlCommand($"""
            DROP SCHEMA IF EXISTS "{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}" CASCADE;
            CREATE SCHEMA "{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}";
            CREATE TABLE papers (id text, title text, authors jsonb, abstract text, categories jsonb, day date);
            """, conn))
            await setup.ExecuteNonQueryAsync();

        var sw = Stopwatch.StartNew();
        long records = 0;
        var batch = new List<(string Id, string Title, string Authors, string Abstract, string Categories, DateOnly Day)>(2_000);
        async Task FlushAsync()
        {
            await using var tx = await conn.BeginTransactionAsync();
            await using (var copy = await conn.BeginBinaryImportAsync("COPY papers (id, title, authors, abstract, categories, day) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var row in batch)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(row.Id, NpgsqlDbType.Text);
                    await copy.WriteAsync(row.Title, NpgsqlDbType.Text);
                    await copy.WriteAsync(row.Authors, NpgsqlDbType.Jsonb);
                    await copy.WriteAsync(row.Abstract, NpgsqlDbType.Text);
                    await copy.WriteAsync(row.Categories, NpgsqlDbType.Jsonb);
                    await copy.WriteAsync(row.Day, NpgsqlDbType.Date);
                }
                await copy.CompleteAsync();
            }
            await tx.CommitAsync();
            batch.Clear();
        }
        foreach (var file in files)
        {
            var day = DateOnly.ParseExact(Path.GetFileName(file)[..10], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress));
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null)
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                batch.Add((o.GetProperty("id").GetString()!, o.GetProperty("title").GetString()!, o.GetProperty("authors").GetRawText(),
                    o.GetProperty("summary").GetString()!, o.GetProperty("categories").GetRawText(), day));
                records++;
                if (batch.Count == 2_000)
                    await FlushAsync();
            }
        }
        if (batch.Count > 0)
            await FlushAsync();
        Console.WriteLine($"baseline: {records:N0} records in {sw.Elapsed.TotalSeconds:N2} s ({records / sw.Elapsed.TotalSeconds:N0} records/s)");
        return 0;
    }

    /// <summary>Drops the schema a connection string's Search Path names (what a benchmark run made), if there.</summary>
    public static async Task<int> DropSchemaAsync(string[] args)
    {
        if (args.Length != 1 || new NpgsqlConnectionStringBuilder(args[0]).SearchPath is not { Length: > 0 } schema)
        {
            Console.Error.WriteLine("usage: Paperboy.Bench drop-schema CONNECTION_STRING (with the Search Path to drop)");
            return 2;
        }
        await using var conn = new NpgsqlConnection(args[0]);
        await conn.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\" CASCADE", conn);
        await drop.ExecuteNonQueryAsync();
        return 0;
    }
}
