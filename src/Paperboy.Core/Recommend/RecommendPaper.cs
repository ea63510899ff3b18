namespace Paperboy.Core.Recommend;

/// <summary>
/// A paper as the recommender sees it: its text (title and abstract, for the keyword features and the shared
/// terms), its categories, and its stored embedding (unit length, the search model's). Author names are never used.
/// </summary>
public sealed record RecommendPaper(string Id, string Title, string Abstract, IReadOnlyList<string> Categories, float[] Vector)
{
    /// <summary>What the keyword features are made of.</summary>
    public string Text => TextOf(Title, Abstract);

    public static string TextOf(string title, string @abstract) => title + ". " + @abstract;
}

/// <summary>
/// A member's signals. Positives: what they saved, tagged or upvoted; negatives: what they marked "not interested".
/// Each may carry a weight (1 by default), e.g. less for an old upvote than for a fresh save.
/// </summary>
public sealed record MemberSignals(IReadOnlyList<RecommendPaper> Positives, IReadOnlyList<RecommendPaper> Negatives)
{
    public static MemberSignals Of(IReadOnlyList<RecommendPaper> positives) => new(positives, []);
}

/// <summary>A positive paper near a recommendation, and how near (cosine of their keyword vectors, and of their embeddings).</summary>
public sealed record NearPositive(string Id, double TextCosine, double EmbeddingCosine);

/// <summary>
/// One recommendation and why: its score, the member's positives nearest to it, and the terms they share (the
/// words and phrases that weigh most in both, as the candidate writes them).
/// </summary>
public sealed record Recommendation(RecommendPaper Paper, double Score, IReadOnlyList<NearPositive> Nearest, IReadOnlyList<string> SharedTerms);
