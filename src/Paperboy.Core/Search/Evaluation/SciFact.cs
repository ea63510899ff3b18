using System.Globalization;
using System.Text.Json;

namespace Paperboy.Core.Search.Evaluation;

/// <summary>A corpus document of a BEIR-style benchmark.</summary>
public sealed record BenchmarkDocument(string Id, string Title, string Text);

/// <summary>A benchmark query.</summary>
public sealed record BenchmarkQuery(string Id, string Text);

/// <summary>
/// A loaded benchmark. <see cref="Qrels"/>: judged documents per query id, with grades. <see cref="JudgedQueries"/>:
/// the queries that have judgements in the loaded qrels file, in the order of the queries file.
/// </summary>
public sealed record BenchmarkData(
    IReadOnlyList<BenchmarkDocument> Corpus,
    IReadOnlyList<BenchmarkQuery> Queries,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Qrels)
{
    public IReadOnlyList<BenchmarkQuery> JudgedQueries { get; } = Queries.Where(q => Qrels.ContainsKey(q.Id)).ToList();
}

/// <summary>
/// Reads SciFact in the BEIR layout: <c>corpus.jsonl</c> (<c>_id</c>, <c>title</c>, <c>text</c>),
/// <c>queries.jsonl</c> (<c>_id</c>, <c>text</c>) and a qrels TSV (<c>query-id</c>, <c>corpus-id</c>, <c>score</c>,
/// with a header line). For evaluation only: the data is read from disk, never shipped.
/// </summary>
public static class SciFact
{
    /// <param name="folder">The folder holding corpus.jsonl and queries.jsonl.</param>
    /// <param name="qrelsFile">The qrels file, relative to <paramref name="folder"/> (e.g. <c>qrels/train.tsv</c>) or absolute.</param>
    public static BenchmarkData Load(string folder, string qrelsFile = "qrels/train.tsv")
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(qrelsFile);
        var corpus = ReadJsonLines(Path.Combine(folder, "corpus.jsonl"))
            .Select(e => new BenchmarkDocument(Text(e, "_id"), Text(e, "title"), Text(e, "text")))
            .ToList();
        var queries = ReadJsonLines(Path.Combine(folder, "queries.jsonl"))
            .Select(e => new BenchmarkQuery(Text(e, "_id"), Text(e, "text")))
            .ToList();
        return new BenchmarkData(corpus, queries, ReadQrels(Path.Combine(folder, qrelsFile)));
    }

    /// <summary>Reads a BEIR qrels TSV: query id, document id, grade; a first line that is not a number is a header.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ReadQrels(string path)
    {
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var cols = line.Split('\t');
            if (cols.Length < 3 || !int.TryParse(cols[^1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var grade))
            {
                if (lineNumber == 1)
                    continue; // header
                throw new FormatException($"{path}:{lineNumber}: expected query-id, corpus-id, score");
            }
            var queryId = cols[0].Trim();
            // TREC layout (query, 0, doc, grade) has four columns; BEIR has three.
            var docId = (cols.Length >= 4 ? cols[2] : cols[1]).Trim();
            if (!qrels.TryGetValue(queryId, out var judged))
                qrels[queryId] = judged = new Dictionary<string, int>(StringComparer.Ordinal);
            judged[docId] = grade;
        }
        return qrels.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)kv.Value, StringComparer.Ordinal);
    }

    private static IEnumerable<JsonElement> ReadJsonLines(string path)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            JsonElement element;
            try
            {
                using var doc = JsonDocument.Parse(line);
                element = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new FormatException($"{path}:{lineNumber}: {e.Message}", e);
            }
            yield return element;
        }
    }

    private static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString() ?? "",
                JsonValueKind.Number => v.GetRawText(),
                _ => "",
            }
            : "";
}
