using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Paperboy.Core.Library;
using Paperboy.Core.Library.Exports;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Library;

/// <summary>
/// Exports of real papers whose titles hold math, &amp;, %, _, #, a lone $, accents and LaTeX commands: BibTeX read
/// back by this project's parser and by Debian's bibtexparser gives the same entries, and the text comes back as it
/// was apart from the escaping; RIS and CSL-JSON carry the same papers.
/// </summary>
public sealed partial class ExportTests : IAsyncLifetime
{
    private readonly TestData.TempDir _dir = new();
    private TestStore _db = null!;
    private List<PaperRecord> _papers = [];

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync("sqlite");
        var ids = await LibraryData.ImportAsync(_db.Store, _dir, LibraryData.Touchy);
        var byId = (await _db.Store.GetPapersAsync(ids)).ToDictionary(p => p.Id);
        _papers = ids.Select(id => byId[id]).ToList();
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>
    /// The text without what escaping adds or LaTeX uses for grouping: braces, and backslashes before &amp; % # _ $ ^.
    /// Applied to both the original and what came back, equal results mean nothing but escaping changed.
    /// </summary>
    public static string Plain(string latex)
    {
        var s = latex.Replace("\\textbraceleft{}", "", StringComparison.Ordinal).Replace("\\textbraceright{}", "", StringComparison.Ordinal)
            .Replace("\\lbrace ", "", StringComparison.Ordinal).Replace("\\rbrace ", "", StringComparison.Ordinal)
            .Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal);
        return TextNormalizer.Collapse(Unescape().Replace(s, "$1"));
    }

    [GeneratedRegex(@"\\([&%#_$^])")]
    private static partial Regex Unescape();

    /// <summary>Splits an author field on " and " outside braces, as BibTeX does.</summary>
    public static List<string> Names(string field)
    {
        var names = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < field.Length; i++)
        {
            depth += field[i] == '{' ? 1 : field[i] == '}' ? -1 : 0;
            if (depth == 0 && string.CompareOrdinal(field, i, " and ", 0, 5) == 0)
            {
                names.Add(field[start..i]);
                start = i + 5;
            }
        }
        names.Add(field[start..]);
        return names;
    }

    [Fact]
    public void BibTeX_read_back_gives_every_paper_with_its_text_intact()
    {
        var items = _papers.Select((p, i) => new CitationItem(p, i == 0 ? "Read §2 & skip 50% of $\\S 3$" : null, i == 0 ? ["to read", "R&D"] : null)).ToList();
        var bib = Citations.Write(items, CitationFormat.BibTex);
        var file = BibTexParser.Parse(bib);
        Assert.Empty(file.Problems);
        Assert.Equal(_papers.Count, file.Entries.Count);
        Assert.Equal(_papers.Count, file.Entries.Select(e => e.Key).Distinct().Count());
        for (var i = 0; i < _papers.Count; i++)
        {
            var (p, e) = (_papers[i], file.Entries[i]);
            Assert.Matches("^[a-z]+[0-9]{4}[a-z]+$", e.Key);
            Assert.Equal(p.JournalRef is null ? "misc" : "article", e.Type);
            Assert.Equal(p.Id, e["eprint"]);
            Assert.Equal("arXiv", e["archivePrefix"]);
            Assert.Equal(p.PrimaryCategory, e["primaryClass"]);
            Assert.Equal("https://arxiv.org/abs/" + p.Id, e["url"]);
            Assert.Equal(p.PublishedOn!.Value.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), e["year"]);
            Assert.Equal(BibTexText.Title(p.Title), e["title"]);
            Assert.Equal(Plain(p.Title), Plain(e["title"]!));
            Assert.Equal(Plain(p.Abstract), Plain(e["abstract"]!));
            Assert.Equal(p.Authors.Select(Plain), Names(e["author"]!).Select(Plain));
        }
        // What LaTeX would stumble on is escaped; math and commands are as written; accents stay UTF-8.
        string Title(string id) => file.Entries[_papers.FindIndex(p => p.Id == id)]["title"]!;
        Assert.StartsWith("{GSBAK}$^K$: $top$-$K$ Geometric", Title("2503.12827"), StringComparison.Ordinal);
        Assert.Contains("Analyzer \\& Fuzzy Logic", Title("2503.12141"), StringComparison.Ordinal);
        Assert.Contains("Bézier", Title("2503.13961"), StringComparison.Ordinal);
        Assert.StartsWith("Di$\\mathtt{[M]}$O:", Title("2503.15457"), StringComparison.Ordinal);
        Assert.Contains("the $\\ell_1$ regularization", Title("2503.18652"), StringComparison.Ordinal);
        Assert.Contains("agentic\\_security", Title("2503.20279"), StringComparison.Ordinal);
        Assert.Contains("80\\% Visual Tokens", Title("2504.17343"), StringComparison.Ordinal);
        Assert.Contains("\\textit{Rule}sual", Title("2505.18542"), StringComparison.Ordinal);
        Assert.Contains("\\#{SMM4H-HeaRD}", Title("2506.18185"), StringComparison.Ordinal);
        Assert.Contains("with \\$500 Training", Title("2507.16116"), StringComparison.Ordinal);
        Assert.Contains("Moreno D'Incà", file.Entries[_papers.FindIndex(p => p.Id == "2503.11742")]["author"]!, StringComparison.Ordinal);
        Assert.Equal("to read, R\\&D", file.Entries[0]["keywords"]);
        Assert.Equal("Read §2 \\& skip 50\\% of $\\S 3$", file.Entries[0]["annote"]);
    }

    [Fact]
    public async Task Debian_bibtexparser_reads_the_same_entries_as_ours()
    {
        var items = _papers.Select(p => new CitationItem(p, "a note with 100% & $x_1$", ["ml"])).ToList();
        var path = _dir.File("export.bib");
        await File.WriteAllTextAsync(path, Citations.Write(items, CitationFormat.BibTex));
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        const string script = """
            import json, sys, bibtexparser
            from bibtexparser.bparser import BibTexParser
            with open(sys.argv[1], encoding='utf-8') as f:
                db = bibtexparser.load(f, parser=BibTexParser(common_strings=True))
            json.dump(db.entries, sys.stdout, ensure_ascii=False)
            """;
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = System.Text.Encoding.UTF8 };
        foreach (var arg in new[] { "-c", script, path })
            start.ArgumentList.Add(arg);
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"bibtexparser failed ({python}; `apt-get install python3-bibtexparser`): {await stderr}");

        using var theirs = JsonDocument.Parse(await stdout);
        var ours = BibTexParser.Parse(await File.ReadAllTextAsync(path)).Entries;
        Assert.Equal(ours.Count, theirs.RootElement.GetArrayLength());
        foreach (var (entry, their) in ours.Zip(theirs.RootElement.EnumerateArray()))
        {
            var fields = their.EnumerateObject().ToDictionary(f => f.Name, f => TextNormalizer.Collapse(f.Value.GetString()));
            Assert.Equal(entry.Key, fields["ID"]);
            Assert.Equal(entry.Type, fields["ENTRYTYPE"]);
            Assert.Equal(entry.Fields.Count, fields.Count - 2);
            foreach (var (name, value) in entry.Fields)
                Assert.True(fields.TryGetValue(name, out var v) && v == value, $"{entry.Key}.{name}: ours «{value}», bibtexparser's «{v}»");
        }
    }

    [Fact]
    public void RIS_and_CSL_JSON_carry_the_same_papers()
    {
        var items = _papers.Select((p, i) => new CitationItem(p, i == 0 ? "first" : null, i == 0 ? ["ml", "to read"] : null)).ToList();
        var keys = CitationKeys.Assign(_papers);

        var ris = Citations.Write(items, CitationFormat.Ris);
        Assert.DoesNotContain("\n", ris.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal); // CRLF only
        var records = ris.Split("ER  - \r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Trim()).Where(r => r.Length > 0).ToList();
        Assert.Equal(_papers.Count, records.Count);
        for (var i = 0; i < _papers.Count; i++)
        {
            var lines = records[i].Split("\r\n").Select(l => (Tag: l[..2], Value: l[6..])).ToList();
            Assert.Equal(("TY", _papers[i].JournalRef is null ? "UNPB" : "JOUR"), lines[0]);
            Assert.Equal(keys[i], lines.Single(l => l.Tag == "ID").Value);
            Assert.Equal(_papers[i].Title, lines.Single(l => l.Tag == "TI").Value);
            Assert.Equal(_papers[i].Authors.Count, lines.Count(l => l.Tag == "AU"));
            Assert.Equal("arXiv:" + _papers[i].Id, lines.Single(l => l.Tag == "AN").Value);
            Assert.Equal(_papers[i].PublishedOn!.Value.ToString("yyyy/MM/dd", System.Globalization.CultureInfo.InvariantCulture), lines.Single(l => l.Tag == "DA").Value);
        }
        Assert.Contains("AU  - D'Incà, Moreno\r\n", ris, StringComparison.Ordinal);
        Assert.Contains("KW  - ml\r\nKW  - to read\r\nN1  - first\r\n", ris, StringComparison.Ordinal);

        using var csl = JsonDocument.Parse(Citations.Write(items, CitationFormat.CslJson));
        var array = csl.RootElement.EnumerateArray().ToList();
        Assert.Equal(_papers.Count, array.Count);
        for (var i = 0; i < _papers.Count; i++)
        {
            var (p, item) = (_papers[i], array[i]);
            Assert.Equal(keys[i], item.GetProperty("id").GetString());
            Assert.Equal(p.Title, item.GetProperty("title").GetString());
            Assert.Equal(p.Authors.Count, item.GetProperty("author").GetArrayLength());
            Assert.Equal("arXiv:" + p.Id, item.GetProperty("number").GetString());
            var date = item.GetProperty("issued").GetProperty("date-parts")[0];
            Assert.Equal([p.PublishedOn!.Value.Year, p.PublishedOn.Value.Month, p.PublishedOn.Value.Day], date.EnumerateArray().Select(d => d.GetInt32()));
        }
        var moreno = array[_papers.FindIndex(p => p.Id == "2503.11742")].GetProperty("author").EnumerateArray().First(a => a.GetProperty("given").GetString() == "Moreno");
        Assert.Equal("D'Incà", moreno.GetProperty("family").GetString());
        Assert.Equal("ml, to read", array[0].GetProperty("keyword").GetString());
    }

    [Fact]
    public void Keys_are_stable_and_a_clash_in_one_export_gets_a_letter()
    {
        var p = _papers.First(x => x.Id == "2503.13961");
        var key = CitationKeys.For(p);
        Assert.Equal("wu2025bg", key); // Minye Wu, 2025, "BG-Triangle: Bézier Gaussian Triangle ..."
        Assert.Equal([key, key + "b", key + "c"], CitationKeys.Assign([p, p, p]));
        Assert.Equal(key, CitationKeys.Assign([_papers[0], p])[1]);
        Assert.Equal(("Johannes", "van der Waals", "waals"), (PersonName.Parse("Johannes van der Waals").Given, PersonName.Parse("Johannes van der Waals").Family, CitationKeys.Ascii(PersonName.Parse("Johannes van der Waals").KeyName)));
        Assert.True(PersonName.Parse("The ATLAS Collaboration").IsLiteral);
        Assert.Equal("{The ATLAS Collaboration}", BibTexText.Author("The ATLAS Collaboration"));
        Assert.Equal("godel", CitationKeys.Ascii("Gödel"));
    }

    [Theory]
    [InlineData("Unbalanced {brace", "Unbalanced \\textbraceleft{}brace")]
    [InlineData("Closing} only", "Closing\\textbraceright{} only")]
    [InlineData("Math $\\{x$ set", "Math $\\lbrace x$ set")]
    [InlineData("Trailing backslash \\", "Trailing backslash \\textbackslash{}")]
    [InlineData("$$x^2$$ and 5^3", "$$x^2$$ and 5\\^{}3")]
    [InlineData("Already \\& escaped & not", "Already \\& escaped \\& not")]
    [InlineData("Math % in $50%$", "Math \\% in $50\\%$")]
    public void Escaping_keeps_braces_balanced_and_latex_as_written(string text, string expected)
    {
        Assert.Equal(expected, BibTexText.Escape(text));
        var entry = Assert.Single(BibTexParser.Parse($"@misc{{k, title = {{{BibTexText.Escape(text)}}}}}").Entries);
        Assert.Equal(expected, entry["title"]);
    }
}
