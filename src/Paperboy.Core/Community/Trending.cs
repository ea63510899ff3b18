using System.Globalization;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Community;

/// <summary>A paper's place in trending, with the numbers behind it.</summary>
public sealed record TrendingEntry(PaperRecord Paper, double Score, int Rank, int RecentVotes, int RecentComments, string Explanation);

/// <summary>
/// The trending score, documented in the README: every vote and comment counts by its age, halving each
/// <c>halfLife</c> (a vote an hour old counts nearly 1, a day old 0.5 with the default 24 h). A comment weighs
/// <c>commentWeight</c> votes (writing takes more than a click). Upvotes imported with a paper (from Hugging Face)
/// have no times: they count as cast when the paper was featured. Ties go to the newer feature, then the id.
/// </summary>
public static class Trending
{
    public static double Weight(TimeSpan age, TimeSpan halfLife) =>
        Math.Pow(0.5, Math.Max(0, age.TotalHours) / halfLife.TotalHours);

    public static double Score(PaperActivity a, DateTimeOffset now, TimeSpan halfLife, double commentWeight)
    {
        var score = a.Votes.Sum(t => Weight(now - t, halfLife)) + commentWeight * a.Comments.Sum(t => Weight(now - t, halfLife));
        if (a.Paper.Upvotes > 0 && a.Paper.FeaturedAt is { } featured)
            score += a.Paper.Upvotes * Weight(now - featured, halfLife);
        return score;
    }

    /// <summary>
    /// The papers, best first, each with a plain explanation ("7 upvotes in the last day, 2 comments: score 5.9, 3rd
    /// this week").
    /// </summary>
    public static IReadOnlyList<TrendingEntry> Rank(IEnumerable<PaperActivity> activity, DateTimeOffset now, TimeSpan halfLife, double commentWeight, string periodWords)
    {
        var ranked = activity
            .Select(a => (Activity: a, Score: Score(a, now, halfLife, commentWeight)))
            .OrderByDescending(x => x.Score)
            .ThenByDescending(x => x.Activity.Paper.FeaturedAt)
            .ThenBy(x => x.Activity.Paper.Id, StringComparer.Ordinal)
            .ToList();
        var dayAgo = now.AddDays(-1);
        return ranked.Select((x, i) =>
        {
            var votes = x.Activity.Votes.Count(t => t > dayAgo);
            var comments = x.Activity.Comments.Count(t => t > dayAgo);
            var explanation = string.Create(CultureInfo.InvariantCulture,
                $"{Plural(votes, "upvote")} in the last day, {Plural(comments, "comment")}{(x.Activity.Paper.Upvotes > 0 ? $", {Plural(x.Activity.Paper.Upvotes, "imported upvote")}" : "")}: score {x.Score:0.0}, {Ordinal(i + 1)} {periodWords}");
            return new TrendingEntry(x.Activity.Paper, x.Score, i + 1, votes, comments, explanation);
        }).ToList();
    }

    private static string Plural(int n, string word) => n.ToString(CultureInfo.InvariantCulture) + " " + word + (n == 1 ? "" : "s");

    private static string Ordinal(int n) => n.ToString(CultureInfo.InvariantCulture) + ((n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });
}
