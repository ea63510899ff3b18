using System.Text.RegularExpressions;

namespace Paperboy.Core.Papers;

public static partial class Categories
{
    // cs.CL, math.AG, hep-th, q-bio.NC, physics.optics, astro-ph.CO
    [GeneratedRegex(@"^[a-z][a-z\-]{0,15}(\.[A-Za-z\-]{1,20})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? category) => category is not null && Pattern().IsMatch(category);

    // arXiv's archives, current and retired (a category is an archive, or archive.SUBJECT).
    private static readonly HashSet<string> Archives = new(StringComparer.Ordinal)
    {
        "astro-ph", "cond-mat", "cs", "econ", "eess", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph",
        "nlin", "nucl-ex", "nucl-th", "physics", "q-bio", "q-fin", "quant-ph", "stat",
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "atom-ph", "bayes-an", "chao-dyn", "chem-ph", "cmp-lg", "comp-gas",
        "dg-ga", "funct-an", "mtrl-th", "patt-sol", "plasm-ph", "q-alg", "solv-int", "supr-con",
    };

    /// <summary>
    /// An arXiv category (cs.LG, hep-th), as opposed to the ACM or MSC classes that some records carry beside them
    /// (<c>I.2.7</c>, <c>68T05</c>, <c>A.I</c>): those are shown on the paper page, not as category chips.
    /// </summary>
    public static bool IsArxiv(string? category) =>
        IsValid(category) && Archives.Contains(category!.Split('.')[0]);
}
