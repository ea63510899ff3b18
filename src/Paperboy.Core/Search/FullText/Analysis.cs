using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace Paperboy.Core.Search.FullText;

/// <summary>A term as an analyzer produced it, with where it came from in the text.</summary>
internal readonly record struct AnalyzedToken(string Term, int Start, int End, int Position);

internal static class Analysis
{
    /// <summary>The tokens of <paramref name="text"/>, at most <paramref name="max"/> of them.</summary>
    public static List<AnalyzedToken> Tokens(Analyzer analyzer, string field, string text, int max = int.MaxValue)
    {
        var tokens = new List<AnalyzedToken>();
        if (string.IsNullOrEmpty(text) || max <= 0)
            return tokens;
        using var stream = analyzer.GetTokenStream(field, new StringReader(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        var increment = stream.AddAttribute<IPositionIncrementAttribute>();
        stream.Reset();
        var position = -1;
        while (stream.IncrementToken())
        {
            position += increment.PositionIncrement;
            if (term.Length == 0)
                continue;
            tokens.Add(new AnalyzedToken(term.ToString(), offset.StartOffset, offset.EndOffset, position));
            if (tokens.Count >= max)
                break;
        }
        stream.End();
        return tokens;
    }
}
