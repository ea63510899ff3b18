using Paperboy.Core.Library;

namespace Paperboy.Tests.Library;

/// <summary>The BibTeX reader: what BibTeX accepts, and broken entries reported by line while the good ones are kept.</summary>
public sealed class BibTexParserTests
{
    [Fact]
    public void Braces_quotes_concatenation_strings_comments_and_parentheses_are_read_as_bibtex_reads_them()
    {
        const string text = """
            This file was written by hand; ada@example.org is not an entry.
            @comment{ jabref-meta: {anything {nested}} }
            @preamble{ "\newcommand{\noopsort}[1]{}" }
            @string{ acl = "Proceedings of {ACL}" }
            @STRING(year2025 = {2025})

            @InProceedings{smith2025,
              title     = {The {BERT} of $\alpha_1$: 50\% faster, "quoted" {\"o}},
              booktitle = acl # ", " # year2025,
              month     = mar,
              pages     = 12,
              % a comment between fields, as many files have
              author    = "Smith, John and {Ltd. and Co.}",
            }
            @misc(paren2025, note = "a {"}quote{"} inside", url = {https://arxiv.org/abs/2503.14603v2})
            """;
        var file = BibTexParser.Parse(text);
        Assert.Empty(file.Problems);
        Assert.Equal(["smith2025", "paren2025"], file.Entries.Select(e => e.Key));
        var e = file.Entries[0];
        Assert.Equal(("inproceedings", 7), (e.Type, e.Line));
        Assert.Equal(["title", "booktitle", "month", "pages", "author"], e.Fields.Select(f => f.Key));
        Assert.Equal("The {BERT} of $\\alpha_1$: 50\\% faster, \"quoted\" {\\\"o}", e["title"]);
        Assert.Equal("Proceedings of {ACL}, 2025", e["BookTitle"]);
        Assert.Equal("March", e["month"]);
        Assert.Equal("12", e["pages"]);
        Assert.Equal("Smith, John and {Ltd. and Co.}", e["author"]);
        Assert.Equal("a {\"}quote{\"} inside", file.Entries[1]["note"]);
        Assert.Null(file.Entries[1]["title"]);
    }

    [Fact]
    public void Broken_entries_are_reported_with_their_lines_and_the_good_ones_around_them_are_kept()
    {
        var lines = new[]
        {
            "@article{good1, title = {One}, eprint = {2503.00001}}",          // 1
            "@article{noequals, title {Two}}",                                  // 2: no '='
            "@article{unclosed, title = {Three, eprint = {2503.00003}}",        // 3: '{' never closed before the next entry
            "",                                                                 // 4
            "@misc{good2,",                                                     // 5
            "  title = {Four},",                                                // 6
            "}",                                                                // 7
            "@misc{title = {No key}}",                                          // 8: no key
            "@book{badvalue, title = ,}",                                       // 9: no value
            "@misc{undefined, month = notamonth, title = {Kept}}",              // 10: unknown @string: kept, reported
            "@misc{good3, title = \"Five\"}",                                   // 11
            "@misc{quote, title = \"never closed}",                             // 12: quote never closed
            "@misc{good4, title = {Six}}",                                      // 13
            "@misc{tail, title = {Seven}",                                      // 14: the file ends inside the entry
        };
        var file = BibTexParser.Parse(string.Join("\n", lines));
        Assert.Equal(["good1", "good2", "undefined", "good3", "good4"], file.Entries.Select(e => e.Key));
        Assert.Equal([1, 5, 10, 11, 13], file.Entries.Select(e => e.Line));
        Assert.Equal([2, 3, 8, 9, 10, 12, 14], file.Problems.Select(p => p.Line));
        Assert.Equal([true, true, true, true, false, true, true], file.Problems.Select(p => p.Skipped));
        Assert.Contains("expected '=' after the field name 'title'", file.Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("not closed before the entry on line 5", file.Problems[1].Message, StringComparison.Ordinal);
        Assert.Contains("has no key", file.Problems[2].Message, StringComparison.Ordinal);
        Assert.Contains("expected a value", file.Problems[3].Message, StringComparison.Ordinal);
        Assert.Contains("'notamonth' is not a defined @string", file.Problems[4].Message, StringComparison.Ordinal);
        Assert.Contains("quote on line 12 is never closed", file.Problems[5].Message, StringComparison.Ordinal);
        Assert.Contains("@misc{tail} (line 14)", file.Problems[6].Message, StringComparison.Ordinal);
        Assert.Equal("", file.Entries[2]["month"]);
    }

    [Theory]
    [InlineData("@misc{a, eprint = {2503.14603v2}, archivePrefix = {arXiv}}", "2503.14603")]
    [InlineData("@misc{a, eprint = {arXiv:hep-th/9901001}}", "hep-th/9901001")]
    [InlineData("@misc{a, url = {https://arxiv.org/pdf/2503.14603v1.pdf}}", "2503.14603")]
    [InlineData("@misc{a, url = {http://export.arxiv.org/abs/math.AG/0101001}}", "math.AG/0101001")]
    [InlineData("@misc{a, doi = {10.48550/arXiv.2503.14603}}", "2503.14603")]
    [InlineData("@misc{a, doi = {https://doi.org/10.48550/ARXIV.2503.14603}}", "2503.14603")]
    [InlineData("@article{a, journal = {arXiv preprint arXiv:1706.03762}}", "1706.03762")]
    [InlineData("@misc{a, eprint = {12345678}, archivePrefix = {PubMed}, url = {https://arxiv.org/abs/2503.14603}}", "2503.14603")]
    [InlineData("@misc{a, doi = {10.1145/3292500.3330701}, url = {https://example.org/2503.14603}}", null)]
    public void An_entry_names_its_arxiv_paper_by_eprint_url_or_doi(string entry, string? id) =>
        Assert.Equal(id, LibraryImporter.FindArxivId(Assert.Single(BibTexParser.Parse(entry).Entries)));
}
