using System.Text.RegularExpressions;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Paperboy.Core.Search.FullText;

/// <summary>
/// Turns what a user typed into a Lucene query without ever parsing Lucene syntax: the text is analyzed into words
/// (so <c>title:(</c>, <c>AND</c>, <c>*</c>, backslashes and LaTeX are just characters) and every word becomes
/// SHOULD clauses over title, abstract and authors. A "quoted phrase" adds a phrase clause that ranks papers having
/// those words in that order higher; it never excludes anything. Filters are applied apart from this query, so
/// nothing typed can get around them.
/// </summary>
internal static partial class FullTextQuery
{
    private const int MaxPhrases = 4;

    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex QuotedPhrase();

    /// <summary>The query, or null when the text has no searchable word (empty, only stop words or punctuation).</summary>
    public static Query? Build(string? text, FullTextOptions options, Analyzer textAnalyzer, Analyzer nameAnalyzer)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var max = Math.Max(1, options.MaxQueryTerms);
        var terms = Analysis.Tokens(textAnalyzer, FullTextFields.Abstract, text, max);
        if (terms.Count == 0)
            return null;

        var query = new BooleanQuery(disableCoord: true);
        // Repeated words weigh more, as in BM25's query-term frequency; one clause set per distinct word.
        foreach (var group in terms.GroupBy(t => t.Term, StringComparer.Ordinal))
        {
            var weight = group.Count();
            var perField = new List<Query>(3);
            AddTerm(perField, FullTextFields.Title, group.Key, options.TitleBoost);
            AddTerm(perField, FullTextFields.Abstract, group.Key, options.AbstractBoost);
            AddTerm(perField, FullTextFields.Contents, group.Key, options.ContentsBoost);
            if (perField.Count == 0)
                continue;
            // Field scores add up (a word in the title counts in both the contents and the title).
            Query clause;
            if (perField.Count == 1)
            {
                clause = perField[0];
            }
            else
            {
                var sum = new BooleanQuery(disableCoord: true);
                foreach (var q in perField)
                    sum.Add(q, Occur.SHOULD);
                clause = sum;
            }
            clause.Boost *= weight;
            query.Add(clause, Occur.SHOULD);
        }

        if (options.AuthorsBoost > 0)
        {
            foreach (var name in Analysis.Tokens(nameAnalyzer, FullTextFields.Authors, text, max).Select(t => t.Term).Distinct(StringComparer.Ordinal))
                query.Add(new TermQuery(new Term(FullTextFields.Authors, name)) { Boost = options.AuthorsBoost }, Occur.SHOULD);
        }

        foreach (var phrase in QuotedPhrase().Matches(text).Take(MaxPhrases))
        {
            var words = Analysis.Tokens(textAnalyzer, FullTextFields.Abstract, phrase.Groups[1].Value, max);
            if (words.Count < 2)
                continue;
            var fields = new List<(string Field, float Boost)>
            {
                (FullTextFields.Title, options.TitleBoost),
                (FullTextFields.Abstract, options.AbstractBoost),
                (FullTextFields.Contents, options.ContentsBoost),
            };
            foreach (var (field, boost) in fields.Where(f => f.Boost > 0))
            {
                var pq = new PhraseQuery { Boost = boost };
                foreach (var word in words)
                    pq.Add(new Term(field, word.Term), word.Position);
                query.Add(pq, Occur.SHOULD);
            }
        }

        return query.Clauses.Count == 0 ? null : query;
    }

    private static void AddTerm(List<Query> into, string field, string term, float boost)
    {
        if (boost > 0)
            into.Add(new TermQuery(new Term(field, term)) { Boost = boost });
    }

    /// <summary>The distinct analyzed words of a query, for highlighting.</summary>
    public static HashSet<string> Words(string? text, FullTextOptions options, Analyzer textAnalyzer) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : Analysis.Tokens(textAnalyzer, FullTextFields.Abstract, text, Math.Max(1, options.MaxQueryTerms)).Select(t => t.Term).ToHashSet(StringComparer.Ordinal);
}

internal static class FullTextFields
{
    public const string Id = "id";
    public const string Title = "title";
    public const string Abstract = "abstract";
    public const string Contents = "contents";
    public const string Authors = "authors";
    public const string Category = "category";
    public const string Published = "published";
}
