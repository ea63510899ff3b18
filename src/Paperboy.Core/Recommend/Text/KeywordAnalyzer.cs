using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Util;
using Paperboy.Core.Search.FullText;

namespace Paperboy.Core.Recommend.Text;

/// <summary>A word of a text as the recommender's keyword features see it, with where it stands in the text.</summary>
public readonly record struct KeywordToken(string Term, int Start, int End);

/// <summary>How texts become words for the keyword features.</summary>
public enum KeywordAnalysis
{
    /// <summary>Porter stems: UAX#29 words, possessives removed, lower case, accents folded, scikit-learn's stop words, Porter stemming; numbers and one-letter words dropped.</summary>
    Stems,
    /// <summary>scikit-learn's words (<see cref="SklearnTokenizer"/>), not stemmed.</summary>
    Words,
}

/// <summary>Turns a title and abstract into <see cref="KeywordToken"/>s. Thread-safe.</summary>
public static class KeywordAnalyzer
{
    private static readonly CharArraySet StopWords = new(PaperAnalyzer.Version, SklearnTokenizer.EnglishStopWords.ToList(), false);
    private static readonly Analyzer Porter = new StemmingAnalyzer();

    public static List<KeywordToken> Tokens(string text, KeywordAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (analysis == KeywordAnalysis.Words)
            return [.. SklearnTokenizer.Words(text).Select(w => new KeywordToken(w, -1, -1))];
        var tokens = new List<KeywordToken>();
        foreach (var t in Analysis.Tokens(Porter, "text", text))
        {
            if (t.Term.Length < 2 || char.IsDigit(t.Term[0]))
                continue;
            tokens.Add(new KeywordToken(t.Term, t.Start, t.End));
        }
        return tokens;
    }

    private sealed class StemmingAnalyzer : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var source = new StandardTokenizer(PaperAnalyzer.Version, reader);
            TokenStream stream = new EnglishPossessiveFilter(PaperAnalyzer.Version, source);
            stream = new LowerCaseFilter(PaperAnalyzer.Version, stream);
            stream = new ASCIIFoldingFilter(stream);
            stream = new StopFilter(PaperAnalyzer.Version, stream, StopWords);
            stream = new PorterStemFilter(stream);
            return new TokenStreamComponents(source, stream);
        }
    }
}
