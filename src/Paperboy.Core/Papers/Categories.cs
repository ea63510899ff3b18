using System.Text.RegularExpressions;

namespace Paperboy.Core.Papers;

public static partial class Categories
{
    // cs.CL, math.AG, hep-th, q-bio.NC, physics.optics, astro-ph.CO
    [GeneratedRegex(@"^[a-z][a-z\-]{0,15}(\.[A-Za-z\-]{1,20})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? category) => category is not null && Pattern().IsMatch(category);
}
