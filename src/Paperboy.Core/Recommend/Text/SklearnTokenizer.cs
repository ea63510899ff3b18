using System.Collections.Frozen;
using System.Text;
using Lucene.Net.Analysis.Miscellaneous;

namespace Paperboy.Core.Recommend.Text;

/// <summary>
/// Words as scikit-learn's <c>TfidfVectorizer</c> finds them with arxiv-sanity-lite's settings: lower case, accents
/// stripped, <c>token_pattern=(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b</c>, its English stop words removed. The pattern
/// amounts to this: split the text into maximal runs of Unicode word characters (letters, numbers, underscore); a run
/// is a token when it is all ASCII letters, digits and underscores, at least two long, not starting with a digit.
/// </summary>
/// <remarks>
/// scikit-learn strips accents by NFKD decomposition; this process runs with invariant globalization, where .NET's
/// <see cref="string.Normalize(NormalizationForm)"/> does nothing, so accents are folded with Lucene's ASCII folding
/// instead. The two agree on accented Latin letters (é, ö, ñ, ş) and ligatures (ﬁ); they differ on letters NFKD
/// leaves alone (ß, æ, ø, ł), which scikit-learn drops with their word and this keeps folded: rare in titles and
/// abstracts.
/// </remarks>
public static class SklearnTokenizer
{
    /// <summary>scikit-learn's <c>ENGLISH_STOP_WORDS</c> (318 words, from the Glasgow Information Retrieval Group's list).</summary>
    public static FrozenSet<string> EnglishStopWords { get; } = FrozenSet.ToFrozenSet(("a about above across after afterwards again against all almost alone along already also although always am among " +
        "amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at back be became because become " +
        "becomes becoming been before beforehand behind being below beside besides between beyond bill both bottom but by call can cannot " +
        "cant co con could couldnt cry de describe detail do done down due during each eg eight either eleven else elsewhere empty enough " +
        "etc even ever every everyone everything everywhere except few fifteen fifty fill find fire first five for former formerly forty " +
        "found four from front full further get give go had has hasnt have he hence her here hereafter hereby herein hereupon hers herself " +
        "him himself his how however hundred i ie if in inc indeed interest into is it its itself keep last latter latterly least less ltd " +
        "made many may me meanwhile might mill mine more moreover most mostly move much must my myself name namely neither never " +
        "nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on once one only onto or other others " +
        "otherwise our ours ourselves out over own part per perhaps please put rather re same see seem seemed seeming seems serious several " +
        "she should show side since sincere six sixty so some somehow someone something sometime sometimes somewhere still such system " +
        "take ten than that the their them themselves then thence there thereafter thereby therefore therein thereupon these they thick " +
        "thin third this those though three through throughout thru thus to together too top toward towards twelve twenty two un under " +
        "until up upon us very via was we well were what whatever when whence whenever where whereafter whereas whereby wherein whereupon " +
        "wherever whether which while whither who whoever whole whom whose why will with within without would yet you your yours " +
        "yourself yourselves").Split(' '), StringComparer.Ordinal);

    /// <summary>The text's words in order, stop words removed (bigrams are made from what remains, as scikit-learn does).</summary>
    public static List<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var prepared = StripAccents(text.ToLowerInvariant());
        var words = new List<string>();
        var i = 0;
        while (i < prepared.Length)
        {
            var rune = Rune.GetRuneAt(prepared, i);
            if (!IsWordCharacter(rune))
            {
                i += rune.Utf16SequenceLength;
                continue;
            }
            var start = i;
            var plain = rune.IsAscii && !Rune.IsDigit(rune); // the first is one of [a-zA-Z_]
            while (i < prepared.Length)
            {
                rune = Rune.GetRuneAt(prepared, i);
                if (!IsWordCharacter(rune))
                    break;
                plain &= rune.IsAscii;
                i += rune.Utf16SequenceLength;
            }
            if (plain && i - start >= 2)
            {
                var word = prepared[start..i];
                if (!EnglishStopWords.Contains(word))
                    words.Add(word);
            }
        }
        return words;
    }

    // Python's \w for str patterns: alphanumeric characters (letters and every kind of number) and the underscore.
    private static bool IsWordCharacter(Rune r) => Rune.IsLetter(r) || Rune.IsNumber(r) || r.Value == '_';

    private static string StripAccents(string text)
    {
        if (Ascii.IsValid(text))
            return text;
        var input = text.ToCharArray();
        var output = new char[input.Length * 4];
        var length = ASCIIFoldingFilter.FoldToASCII(input, 0, output, 0, input.Length);
        return new string(output, 0, length);
    }
}
