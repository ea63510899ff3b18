namespace Paperboy.Core.Papers;

public enum ListingSort
{
    /// <summary>Most upvoted first, then in arXiv's listing order.</summary>
    Trending,
    /// <summary>arXiv's listing order: newest day first, then the order of the day's file.</summary>
    Published,
}

/// <summary>A span of listing days: one day, an ISO week or a calendar month.</summary>
public sealed record ListingPeriod(DateOnly From, DateOnly To, string Kind)
{
    public static ListingPeriod Day(DateOnly d) => new(d, d, "day");

    public static ListingPeriod Week(int isoYear, int week)
    {
        var monday = DateOnly.FromDateTime(System.Globalization.ISOWeek.ToDateTime(isoYear, week, DayOfWeek.Monday));
        return new(monday, monday.AddDays(6), "week");
    }

    public static ListingPeriod Month(int year, int month)
    {
        var first = new DateOnly(year, month, 1);
        return new(first, first.AddMonths(1).AddDays(-1), "month");
    }

    public string Label => Kind switch
    {
        "day" => From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        "week" => $"{System.Globalization.ISOWeek.GetYear(From.ToDateTime(TimeOnly.MinValue))}-W{System.Globalization.ISOWeek.GetWeekOfYear(From.ToDateTime(TimeOnly.MinValue)):00}",
        _ => From.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
    };
}

public sealed record ListingQuery(ListingPeriod Period, string? Category, ListingSort Sort, int Offset, int Limit);

public sealed record ListingPage(int Total, IReadOnlyList<ListedPaper> Items);

public sealed record StoreStatus(
    string Provider,
    long Papers,
    long ListingDays,
    DateOnly? NewestListingDay,
    DateOnly? OldestListingDay,
    long? SizeBytes,
    string Location);
