using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Cli;

/// <summary>The real executable, run as a user runs it.</summary>
public sealed class ImportProcessTests : IDisposable
{
    private readonly TestData.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ProcessStartInfo Paperboy(params string[] args) => Paperboy(null, args);

    private static ProcessStartInfo Paperboy(Dictionary<string, string?>? settings, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "paperboy.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["PAPERBOY_Storage__Provider"] = "sqlite";
        foreach (var (key, value) in settings ?? [])
            psi.Environment["PAPERBOY_" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return psi;
    }

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunAsync(null, args);

    private static async Task<(int Code, string Out, string Err)> RunAsync(Dictionary<string, string?>? settings, params string[] args)
    {
        using var p = Process.Start(Paperboy(settings, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>A folder of the first <paramref name="days"/> real listing files (links, not copies).</summary>
    private string ListingSubset(int days)
    {
        var folder = Directory.CreateDirectory(_dir.File("listings")).FullName;
        foreach (var f in Directory.GetFiles(TestData.Listings, "*.jsonl.gz").Order(StringComparer.Ordinal).Take(days))
            File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(f)), f);
        return folder;
    }

    /// <summary>The queries that say everything an import decides, without the wall-clock columns.</summary>
    private static readonly string[] DigestQueries =
    [
        "SELECT id, version, title, authors, abstract, categories, published_on, updated_on, as_of FROM papers ORDER BY id",
        "SELECT day, paper_id, position FROM listings ORDER BY day, paper_id",
        "SELECT paper_id, title, abstract, as_of FROM paper_revisions ORDER BY paper_id, as_of, title",
        "SELECT paper_id, hash FROM source_records ORDER BY paper_id, hash",
        "SELECT category, paper_id FROM paper_categories ORDER BY category, paper_id",
    ];

    /// <summary>Everything the import decides, without the wall-clock columns.</summary>
    private static string Digest(string dataDir)
    {
        using var conn = new SqliteConnection($"Data Source={Path.Combine(dataDir, "paperboy.db")};Mode=ReadOnly;Pooling=False");
        conn.Open();
        return Digest(conn);
    }

    private static string Digest(System.Data.Common.DbConnection conn)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var sql in DigestQueries)
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            var rows = 0;
            while (r.Read())
            {
                rows++;
                for (var i = 0; i < r.FieldCount; i++)
                    sb.Append(r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u001f');
                sb.Append('\n');
            }
            sb.Append("rows=").Append(rows).Append('\n');
        }
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static long Papers(string dataDir)
    {
        using var conn = new SqliteConnection($"Data Source={Path.Combine(dataDir, "paperboy.db")};Mode=ReadOnly;Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM papers";
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>
    /// Where one run of the executable keeps its data, on either provider: a data folder (SQLite) or a schema of its
    /// own on the test server (PostgreSQL), with the settings that point the process at it.
    /// </summary>
    private sealed class RunDatabase : IAsyncDisposable
    {
        private readonly TestStore? _store;

        private RunDatabase(string dataDir, TestStore? store)
        {
            DataDir = dataDir;
            _store = store;
        }

        public string DataDir { get; }

        public Dictionary<string, string?> Settings => _store is null ? [] : new(_store.Settings);

        public static async Task<RunDatabase> CreateAsync(string provider, string dataDir) =>
            provider == "sqlite" ? new RunDatabase(dataDir, null) : new RunDatabase(dataDir, await TestStore.CreateAsync(provider));

        public long Papers() => _store is null ? ImportProcessTests.Papers(DataDir) : Postgres(c => PostgresScalar(c, "SELECT COUNT(*) FROM papers"));

        /// <summary>0 while the database is not there yet (the process creates it).</summary>
        public long SafePapers() => _store is null ? ImportProcessTests.SafePapers(DataDir) : Papers();

        public string Digest() => _store is null ? ImportProcessTests.Digest(DataDir) : Postgres(c => ImportProcessTests.Digest(c));

        private T Postgres<T>(Func<Npgsql.NpgsqlConnection, T> query)
        {
            using var conn = new Npgsql.NpgsqlConnection(_store!.Settings["Storage:ConnectionString"]);
            conn.Open();
            return query(conn);
        }

        private static long PostgresScalar(Npgsql.NpgsqlConnection conn, string sql)
        {
            using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
            return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            if (_store is not null)
                await _store.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> Merge(Dictionary<string, string?> a, Dictionary<string, string?> b) =>
        a.Concat(b).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Import_killed_with_sigkill_then_rerun_ends_with_the_same_database(string provider)
    {
        var listings = ListingSubset(90);
        await using var whole = await RunDatabase.CreateAsync(provider, _dir.File("whole"));
        var (code, output, _) = await RunAsync(whole.Settings, "import", listings, "--data", whole.DataDir);
        Assert.Equal(0, code);
        Assert.Contains("rejected 0", output, StringComparison.Ordinal);
        var total = whole.Papers();

        // Smaller batches than the whole run's: where the batches end must not change what the database holds.
        await using var killed = await RunDatabase.CreateAsync(provider, _dir.File("killed"));
        using (var p = Process.Start(Paperboy(killed.Settings, "import", listings, "--data", killed.DataDir, "--batch-size", "500"))!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited)
            {
                if (killed.SafePapers() > 2_000)
                    break;
                await Task.Delay(20);
            }
            Assert.False(p.HasExited, "the import finished before it could be killed");
            p.Kill(entireProcessTree: true); // SIGKILL on Unix: no cleanup runs
            await p.WaitForExitAsync();
        }
        SqliteConnection.ClearAllPools();
        var partial = killed.Papers();
        Assert.InRange(partial, 1, total - 1);

        var (rerun, rerunOut, _) = await RunAsync(killed.Settings, "import", listings, "--data", killed.DataDir);
        Assert.Equal(0, rerun);
        Assert.Contains($"added {total - partial:N0}", rerunOut, StringComparison.Ordinal);
        Assert.Equal(whole.Digest(), killed.Digest());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Harvest_killed_with_sigkill_then_rerun_ends_with_the_same_database(string provider)
    {
        await using var fake = await FakeArxiv.StartAsync(new FakeArxivOptions { PageSize = 25 });
        var arxiv = Ingestion.ArxivSettings(fake, TimeSpan.FromMilliseconds(40));
        await using var whole = await RunDatabase.CreateAsync(provider, _dir.File("whole"));
        var (code, output, errors) = await RunAsync(Merge(arxiv, whole.Settings), "ingest", "oai", "--set", "cs", "--from", "2025-03-18", "--data", whole.DataDir);
        Assert.True(code == 0, output + errors);
        var total = whole.Papers();
        Assert.Equal(Ingestion.IdsInGroup("cs", "2025-03-18", "2025-03-19", "2025-03-20").Count, total);
        Assert.Matches(@"Harvested cs: fetched [\d,]+, added [\d,]+, updated 0, unchanged 0, rejected 0, deleted 0 in", output);

        await using var killed = await RunDatabase.CreateAsync(provider, _dir.File("killed"));
        var settings = Merge(arxiv, killed.Settings);
        using (var p = Process.Start(Paperboy(settings, "ingest", "oai", "--set", "cs", "--from", "2025-03-18", "--data", killed.DataDir))!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited && killed.SafePapers() < 100)
                await Task.Delay(10);
            Assert.False(p.HasExited, "the harvest finished before it could be killed");
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        SqliteConnection.ClearAllPools();
        Assert.InRange(killed.Papers(), 1, total - 1);

        // No --from: the interrupted harvest resumes at its saved resumption token.
        var (rerun, rerunOut, rerunErr) = await RunAsync(settings, "ingest", "oai", "--set", "cs", "--data", killed.DataDir);
        Assert.True(rerun == 0, rerunOut + rerunErr);
        Assert.Equal(whole.Digest(), killed.Digest());
    }

    [Fact]
    public async Task Add_with_an_unknown_id_says_so_and_stores_nothing()
    {
        await using var fake = await FakeArxiv.StartAsync();
        var settings = Ingestion.ArxivSettings(fake, TimeSpan.Zero);
        var data = _dir.File("data");
        var (code, output, errors) = await RunAsync(settings, "add", "2501.99999", "--data", data);
        Assert.Equal(3, code);
        Assert.Contains("arXiv has no paper 2501.99999", errors, StringComparison.Ordinal);
        Assert.Equal(0, Papers(data));

        (code, output, errors) = await RunAsync(settings, "add", "https://arxiv.org/abs/2503.14603v1", "--data", data);
        Assert.True(code == 0, errors);
        Assert.Contains("2503.14603 added", output, StringComparison.Ordinal);
        Assert.Equal(1, Papers(data));
    }

    private static long Scalar(string dataDir, string sql)
    {
        using var conn = new SqliteConnection($"Data Source={Path.Combine(dataDir, "paperboy.db")};Mode=ReadOnly;Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Index_killed_with_sigkill_then_rerun_embeds_every_paper_once_and_the_indexes_match_the_database()
    {
        var data = _dir.File("data");
        Assert.Equal(0, (await RunAsync("import", TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"), "--data", data)).Code);
        var papers = Papers(data);
        var semanticOn = new Dictionary<string, string?> { ["Search:Semantic"] = "true", ["Search:EmbedBatch"] = "16" };
        using (var p = Process.Start(Paperboy(semanticOn, "index", "--data", data))!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(120) && !p.HasExited && SafeScalar(data, "SELECT COUNT(*) FROM embeddings") < 48)
                await Task.Delay(20);
            Assert.False(p.HasExited, "indexing finished before it could be killed");
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        SqliteConnection.ClearAllPools();
        Assert.InRange(Scalar(data, "SELECT COUNT(*) FROM embeddings"), 1, papers - 1);

        var (code, output, errors) = await RunAsync(semanticOn, "index", "--data", data);
        Assert.True(code == 0, output + errors);
        Assert.Contains($"{papers:N0} papers in the keyword index", output, StringComparison.Ordinal);
        Assert.Equal(papers, Scalar(data, "SELECT COUNT(*) FROM embeddings"));
        Assert.Equal(papers, Scalar(data, "SELECT COUNT(DISTINCT paper_id) FROM embeddings"));
        Assert.Equal(1, Scalar(data, "SELECT COUNT(DISTINCT model) FROM embeddings"));
        // Nothing left to do: a third run embeds nothing.
        (code, output, _) = await RunAsync(semanticOn, "index", "--data", data);
        Assert.Contains("Indexed 0 and embedded 0 papers", output, StringComparison.Ordinal);
        // And the rebuilt indexes agree with the database.
        (code, output, _) = await RunAsync(semanticOn, "index", "--rebuild", "--data", data);
        Assert.True(code == 0, output);
        Assert.Contains($"{papers:N0} papers in the keyword index", output, StringComparison.Ordinal);
        // status tells the admin the backlog is done.
        (code, output, _) = await RunAsync(semanticOn, "status", "--json", "--data", data);
        using var status = JsonDocument.Parse(output);
        var embedded = Assert.Single(status.RootElement.GetProperty("semantic").GetProperty("embedded").EnumerateArray());
        Assert.Equal(papers, embedded.GetProperty("papers").GetInt64());
        Assert.True(embedded.GetProperty("inUse").GetBoolean(), output);
    }

    private static long SafeScalar(string dataDir, string sql)
    {
        try
        {
            return Scalar(dataDir, sql);
        }
        catch (SqliteException)
        {
            return 0;
        }
    }

    private static long SafePapers(string dataDir)
    {
        try
        {
            return Papers(dataDir);
        }
        catch (SqliteException)
        {
            return 0; // not created yet
        }
    }

    [Fact]
    public async Task Status_reports_counts_as_json_and_bad_files_give_exit_code_3()
    {
        var data = _dir.File("data");
        var bad = _dir.File("2025-03-20.jsonl");
        await File.WriteAllTextAsync(bad, Importing.ListingLine("2503.00001", "Fine") + "\nnot json\n{\"id\": \"2503.00003\", \"title\": \"Cut off\"\n");
        var (code, output, errors) = await RunAsync("import", TestData.Listing("2025-03-20"), bad, "--data", data);
        Assert.Equal(3, code);
        Assert.Contains("2025-03-20.jsonl:2: invalid JSON", errors, StringComparison.Ordinal);
        // In words, with the column; not System.Text.Json's "Expected depth to be zero at the end of the JSON payload.; skipped".
        Assert.Matches(@"2025-03-20\.jsonl:3: invalid JSON at column \d+: the line ends before its object is closed \(cut off\?\); skipped", errors);
        Assert.DoesNotContain(".;", errors, StringComparison.Ordinal);
        Assert.Contains("added 212", output, StringComparison.Ordinal);

        var (statusCode, json, _) = await RunAsync("status", "--json", "--data", data);
        Assert.Equal(0, statusCode);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(212, doc.RootElement.GetProperty("papers").GetInt64());
        Assert.Equal(1, doc.RootElement.GetProperty("listingDays").GetInt64());
        Assert.Equal("2025-03-20", doc.RootElement.GetProperty("newestListingDay").GetString());
        Assert.Equal("sqlite", doc.RootElement.GetProperty("provider").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("semantic").GetProperty("embedded").GetArrayLength());

        var (missing, _, err) = await RunAsync("import", _dir.File("nope"), "--data", data);
        Assert.Equal(1, missing);
        Assert.Contains("no such file or folder", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weekend_files_that_repeat_friday_make_no_day_and_a_manifest_is_named_not_imported()
    {
        // The shared listings' Saturday and Sunday files list Friday's papers again; arXiv announces nothing then.
        var folder = Directory.CreateDirectory(_dir.File("weekend")).FullName;
        foreach (var day in new[] { "2025-03-21", "2025-03-22", "2025-03-23", "2025-03-24" })
            File.CreateSymbolicLink(Path.Combine(folder, day + ".jsonl.gz"), TestData.Listing(day));
        await File.WriteAllTextAsync(Path.Combine(folder, "MANIFEST.tsv"), "file\tlines\n");
        var data = _dir.File("data");
        var (code, output, errors) = await RunAsync("import", folder, "--data", data);
        Assert.Equal(0, code);
        Assert.Contains("MANIFEST.tsv: not a record file", errors, StringComparison.Ordinal);
        Assert.Contains("2025-03-22.jsonl.gz: every paper in it was announced on 2025-03-21 already", output, StringComparison.Ordinal);
        Assert.Contains("2025-03-23.jsonl.gz: every paper in it was announced on 2025-03-21 already", output, StringComparison.Ordinal);
        Assert.Contains("2 file(s) repeated the previous announcement day", output, StringComparison.Ordinal);

        var (_, json, _) = await RunAsync("status", "--json", "--data", data);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(2, doc.RootElement.GetProperty("listingDays").GetInt64()); // Friday and Monday
        Assert.Equal("2025-03-24", doc.RootElement.GetProperty("newestListingDay").GetString());

        // Again: still two days, nothing added.
        var (again, output2, _) = await RunAsync("import", folder, "--data", data);
        Assert.Equal(0, again);
        Assert.Contains("added 0,", output2, StringComparison.Ordinal);
        Assert.Contains("new listings (a paper on a day) 0", output2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_are_added_listed_and_given_a_token_printed_once_alone_on_the_last_line()
    {
        var data = _dir.File("data");
        var (code, output, errors) = await RunAsync("users", "add", "Ada@Example.org", "--admin", "--data", data);
        Assert.True(code == 0, errors);
        Assert.Contains("as @ada (admin)", output, StringComparison.Ordinal);
        var (dup, _, dupErr) = await RunAsync("users", "add", "ada@example.org", "--handle", "someone", "--data", data);
        Assert.Equal(1, dup);
        Assert.Contains("exists already", dupErr, StringComparison.Ordinal);
        var (bad, _, badErr) = await RunAsync("users", "add", "bob@example.org", "--handle", "b", "--data", data);
        Assert.Equal(1, bad);
        Assert.Contains("is not a handle", badErr, StringComparison.Ordinal);

        var (_, list, _) = await RunAsync("users", "list", "--data", data);
        Assert.Contains("@ada\tAda@Example.org\tadmin", list, StringComparison.Ordinal);

        var (tokenCode, tokenOut, _) = await RunAsync("users", "token", "ada@example.org", "--data", data);
        Assert.Equal(0, tokenCode);
        var token = tokenOut.TrimEnd().Split('\n')[^1];
        Assert.Matches("^pb_[A-Za-z0-9_-]{43}$", token);
        // Only its hash is in the database.
        Assert.Equal(0, Scalar(data, $"SELECT count(*) FROM api_tokens WHERE hash = '{token}'"));
        Assert.Equal(1, Scalar(data, $"SELECT count(*) FROM api_tokens WHERE hash = '{Core.Accounts.ApiTokens.Hash(token)}'"));
    }

    [Fact]
    public async Task Serve_help_shows_its_options_not_a_placeholder()
    {
        var (code, output, _) = await RunAsync("serve", "--help");
        Assert.Equal(0, code);
        Assert.DoesNotContain("<additional arguments>", output, StringComparison.Ordinal);
        Assert.Contains("--urls", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_verb_has_help()
    {
        foreach (var verb in new[] { "serve", "import", "migrate", "status" })
        {
            var (code, output, _) = await RunAsync(verb, "--help");
            Assert.Equal(0, code);
            Assert.Contains("--data", output, StringComparison.Ordinal);
        }
    }
}
