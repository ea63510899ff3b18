using System.Data.Common;
using System.Globalization;
using System.Text.Json;

using Paperboy.Core.Papers;
using Paperboy.Core.Search;

namespace Paperboy.Storage;

/// <summary>
/// The <c>papers</c> columns both providers share, and their mapping to <see cref="PaperRecord"/> over plain
/// ADO.NET. Lists are stored as JSON arrays; the SQL around them stays in each provider.
/// </summary>
public static class PaperRows
{
    /// <summary>The columns an import writes, in the order <see cref="Read"/> expects.</summary>
    public const string Columns =
        "id, version, title, authors, abstract, categories, comments, journal_ref, doi, license, report_no, arxiv_submitter, " +
        "published_on, updated_on, as_of, versions, code_url, project_url, upvotes, num_comments, submitted_by, submitted_by_fullname, status, text_hash, " +
        "daily_day, submitted_on_daily_at";

    /// <summary>
    /// What a read selects: <see cref="Columns"/> plus the community counters, which only the vote and comment
    /// statements change (an import that read a paper never writes a stale count back).
    /// </summary>
    public const string SelectColumns = Columns + ", " + CounterColumns;

    public const string CounterColumns = "local_upvotes, local_comments";

    public const int ColumnCount = 28;

    /// <summary>The parameter names matching <see cref="Columns"/>, as <c>@id, @version, …</c>.</summary>
    public static readonly string Parameters = string.Join(", ", Columns.Split(", ").Select(c => "@" + c));

    private sealed record VersionJson(int V, DateTimeOffset? Created);

    public static PaperRecord Read(DbDataReader r, int o = 0)
    {
        var by = r.IsDBNull(o + 20) ? null : new Submitter(r.GetString(o + 20), NullableString(r, o + 21));
        return new PaperRecord
        {
            Id = r.GetString(o),
            Version = r.IsDBNull(o + 1) ? null : Convert.ToInt32(r.GetValue(o + 1), CultureInfo.InvariantCulture),
            Title = r.GetString(o + 2),
            Authors = JsonSerializer.Deserialize<string[]>(r.GetString(o + 3)) ?? [],
            Abstract = r.GetString(o + 4),
            Categories = JsonSerializer.Deserialize<string[]>(r.GetString(o + 5)) ?? [],
            Comments = NullableString(r, o + 6),
            JournalRef = NullableString(r, o + 7),
            Doi = NullableString(r, o + 8),
            License = NullableString(r, o + 9),
            ReportNo = NullableString(r, o + 10),
            ArxivSubmitter = NullableString(r, o + 11),
            PublishedOn = ReadDate(r, o + 12),
            UpdatedOn = ReadDate(r, o + 13),
            AsOf = ReadDate(r, o + 14),
            Versions = (JsonSerializer.Deserialize<VersionJson[]>(r.GetString(o + 15)) ?? []).Select(v => new PaperVersion(v.V, v.Created)).ToArray(),
            CodeUrl = NullableString(r, o + 16),
            ProjectUrl = NullableString(r, o + 17),
            Upvotes = Convert.ToInt32(r.GetValue(o + 18), CultureInfo.InvariantCulture),
            NumComments = Convert.ToInt32(r.GetValue(o + 19), CultureInfo.InvariantCulture),
            SubmittedBy = by,
            Status = NullableString(r, o + 22),
            DailyDay = ReadDate(r, o + 24),
            SubmittedOnDailyAt = ReadInstant(r, o + 25),
            LocalUpvotes = Convert.ToInt32(r.GetValue(o + 26), CultureInfo.InvariantCulture),
            LocalComments = Convert.ToInt32(r.GetValue(o + 27), CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The names in <see cref="Columns"/>, in order.</summary>
    public static readonly string[] ColumnNames = Columns.Split(", ");

    /// <summary>
    /// Adds one parameter per column to the command, named as in <see cref="Parameters"/>. SQLite keeps instants as
    /// ISO text (<paramref name="instantsAsText"/>), PostgreSQL as timestamptz.
    /// </summary>
    public static void Bind(DbCommand cmd, PaperRecord p, bool instantsAsText)
    {
        var values = Values(p, instantsAsText);
        for (var i = 0; i < values.Length; i++)
            Add(cmd, "@" + ColumnNames[i], values[i]);
    }

    /// <summary>The paper's value for each of <see cref="Columns"/>, in order (null for SQL NULL): lists as JSON.</summary>
    public static object?[] Values(PaperRecord p, bool instantsAsText) =>
    [
        p.Id,
        p.Version,
        p.Title,
        JsonList(p.Authors),
        p.Abstract,
        JsonList(p.Categories),
        p.Comments,
        p.JournalRef,
        p.Doi,
        p.License,
        p.ReportNo,
        p.ArxivSubmitter,
        p.PublishedOn,
        p.UpdatedOn,
        p.AsOf,
        JsonSerializer.Serialize(p.Versions.Select(v => new VersionJson(v.Version, v.CreatedAt))),
        p.CodeUrl,
        p.ProjectUrl,
        p.Upvotes,
        p.NumComments,
        p.SubmittedBy?.Name,
        p.SubmittedBy?.Fullname,
        p.Status,
        TextHash(p.Title, p.Abstract),
        p.DailyDay,
        p.SubmittedOnDailyAt is { } at ? (instantsAsText ? InstantText(at) : at.ToUniversalTime()) : null,
    ];

    /// <summary>An instant as SQLite stores it: UTC, round-trip format, so text order is time order.</summary>
    public static string InstantText(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>SQLite keeps instants as text, PostgreSQL as timestamptz: accept both.</summary>
    public static DateTimeOffset? ReadInstant(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i) switch
    {
        DateTimeOffset d => d,
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        var other => throw new InvalidCastException($"column {i}: cannot read an instant from {other.GetType().Name}"),
    };

    public static string TextHash(string title, string abstractText) => PaperText.Hash(title, abstractText);

    public static string JsonList(IReadOnlyList<string> items) => JsonSerializer.Serialize(items);

    public static IReadOnlyList<string> ParseList(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    public static DbParameter Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
        return p;
    }

    public static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>An embedding row selected as <c>paper_id, text_hash, vector</c>, on either provider.</summary>
    public static StoredEmbedding ReadEmbedding(DbDataReader r) =>
        new(r.GetString(0), NullableString(r, 1), VectorBytes.FromBytes((byte[])r.GetValue(2)));

    /// <summary>Runs the query and reads every row with <paramref name="read"/> (the SQL stays with its provider).</summary>
    public static async Task<List<T>> ReadAllAsync<T>(DbCommand cmd, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var rows = new List<T>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(read(r));
        return rows;
    }

    /// <summary>A row selected as <c>model, count</c>.</summary>
    public static EmbeddedCount ReadEmbeddedCount(DbDataReader r) => new(r.GetString(0), r.GetInt64(1));

    /// <summary>SQLite keeps dates as ISO text, PostgreSQL as <c>date</c>: accept both.</summary>
    public static DateOnly? ReadDate(DbDataReader r, int i)
    {
        if (r.IsDBNull(i))
            return null;
        return r.GetValue(i) switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            string s => DateOnly.ParseExact(s.Length > 10 ? s[..10] : s, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            var other => throw new InvalidCastException($"column {i}: cannot read a date from {other.GetType().Name}"),
        };
    }
}
