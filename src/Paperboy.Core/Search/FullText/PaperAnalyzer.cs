using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Util;

namespace Paperboy.Core.Search.FullText;

internal enum AnalyzerKind
{
    /// <summary>What Lucene's EnglishAnalyzer does: possessives, lower case, stop words, Porter stemming.</summary>
    Porter,
    /// <summary>Porter, with accents folded to ASCII first ("Schrödinger" finds "Schrodinger").</summary>
    PorterFolding,
    /// <summary>Krovetz stemming instead of Porter (lighter).</summary>
    KStem,
    /// <summary>No stemming.</summary>
    Plain,
}

/// <summary>
/// English text analysis for titles and abstracts: UAX#29 words (CJK as single characters), possessives removed,
/// lower case, accents folded, English stop words removed, Porter stems.
/// </summary>
internal sealed class PaperAnalyzer(AnalyzerKind kind) : Analyzer
{
    internal const LuceneVersion Version = LuceneVersion.LUCENE_48;

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream stream = new EnglishPossessiveFilter(Version, source);
        stream = new LowerCaseFilter(Version, stream);
        if (kind == AnalyzerKind.PorterFolding)
            stream = new ASCIIFoldingFilter(stream);
        stream = new StopFilter(Version, stream, StopAnalyzer.ENGLISH_STOP_WORDS_SET);
        stream = kind switch
        {
            AnalyzerKind.Porter or AnalyzerKind.PorterFolding => new PorterStemFilter(stream),
            AnalyzerKind.KStem => new KStemFilter(stream),
            _ => stream,
        };
        return new TokenStreamComponents(source, stream);
    }
}

/// <summary>Author names: words, lower case, accents folded; no stop words, no stemming.</summary>
internal sealed class NameAnalyzer : Analyzer
{
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(PaperAnalyzer.Version, reader);
        TokenStream stream = new LowerCaseFilter(PaperAnalyzer.Version, source);
        stream = new ASCIIFoldingFilter(stream);
        return new TokenStreamComponents(source, stream);
    }
}
