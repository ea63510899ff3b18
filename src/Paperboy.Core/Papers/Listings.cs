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

    /// <summary>Parses <c>2025-03-20</c> (day), <c>2025-W12</c> (week) or <c>2025-03</c> (month); the error says what is wrong.</summary>
    public static bool TryParse(string kind, string? text, out ListingPeriod period, out string error)
    {
        period = Day(DateOnly.MinValue);
        error = "";
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        text = text?.Trim() ?? "";
        switch (kind)
        {
            case "day":
            case "date":
                if (!System.Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}$"))
                {
                    error = $"'{TextNormalizer.Clip(text, 30)}' is not a date: use yyyy-MM-dd, like 2025-03-20";
                    return false;
                }
                if (!Days.TryParse(text, out var d))
                {
                    error = $"'{text}' is not a day of the calendar";
                    return false;
                }
                period = Day(d);
                return true;
            case "week":
                var w = System.Text.RegularExpressions.Regex.Match(text, @"^(\d{4})-W(\d{2})$");
                var y = w.Success ? int.Parse(w.Groups[1].Value, ci) : 0;
                var n = w.Success ? int.Parse(w.Groups[2].Value, ci) : 0;
                if (!w.Success || y < 1 || n < 1 || n > System.Globalization.ISOWeek.GetWeeksInYear(y))
                {
                    error = $"'{TextNormalizer.Clip(text, 30)}' is not an ISO week: use yyyy-Www, like 2025-W12";
                    return false;
                }
                period = Week(y, n);
                return true;
            case "month":
                if (!DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", ci, System.Globalization.DateTimeStyles.None, out var m) || text.Length != 7)
                {
                    error = $"'{TextNormalizer.Clip(text, 30)}' is not a month: use yyyy-MM, like 2025-03";
                    return false;
                }
                period = Month(m.Year, m.Month);
                return true;
            default:
                error = $"unknown period '{TextNormalizer.Clip(kind, 30)}'";
                return false;
        }
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
    string Location,
    IReadOnlyList<EmbeddedCount> Embedded);

/// <summary>How many papers have a vector from <paramref name="Model"/> that matches their current text.</summary>
public sealed record EmbeddedCount(string Model, long Papers);
