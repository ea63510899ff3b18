using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Ingest;

/// <summary>The parsers on arXiv's real recorded answers, and on hostile XML.</summary>
public sealed class ParserTests
{
    private static string Fixture(params string[] parts) => File.ReadAllText(Path.Combine([TestData.Root, "api-fixtures", .. parts]));

    [Fact]
    public void The_recorded_oai_pmh_page_parses_with_authors_dates_and_journal_refs()
    {
        var page = OaiPmhParser.Parse(Fixture("arxiv-oai-pmh", "listrecords-arXiv.xml"), "fixture");
        Assert.Equal(3, page.Records.Count);
        Assert.All(page.Records, r => Assert.False(r.Deleted));
        var second = page.Records[1].Paper!;
        Assert.Equal("1706.09418", second.Id);
        Assert.Equal(["hep-ph", "hep-ex"], second.Categories);
        Assert.Equal("Daniel Dercks", second.Authors[0]);
        Assert.NotNull(second.JournalRef);
        Assert.NotNull(second.Doi);
        Assert.Equal(new DateOnly(2017, 6, 28), second.PublishedOn);
        Assert.DoesNotContain("\n", second.Abstract, StringComparison.Ordinal);
        Assert.Equal(new DateOnly(2017, 12, 14), page.Records[0].Datestamp);

        var one = OaiPmhParser.Parse(Fixture("arxiv-oai-pmh", "getrecord-arXiv.xml"), "fixture");
        Assert.Single(one.Records);
        Assert.Null(one.ResumptionToken);
    }

    [Fact]
    public void The_recorded_query_answers_parse_with_primary_category_first()
    {
        var feed = AtomParser.ParseQuery(Fixture("arxiv-atom", "query-response.xml"), "fixture");
        Assert.Equal(5619, feed.TotalResults);
        Assert.Equal(2, feed.Entries.Count);
        var p = feed.Entries[0].Paper;
        Assert.Equal("2510.14968", p.Id);
        Assert.Equal(1, p.Version);
        Assert.Equal("cs.RO", p.Categories![0]);
        Assert.Equal(4, p.Authors.Count);
        Assert.NotNull(p.Comments);
        Assert.Equal(new DateOnly(2025, 10, 16), p.PublishedOn);

        var empty = AtomParser.ParseQuery(Fixture("arxiv-atom", "query-empty.xml"), "fixture");
        Assert.Equal(0, empty.TotalResults);
        Assert.Empty(empty.Entries);
    }

    [Fact]
    public void An_error_entry_becomes_arxivs_own_message()
    {
        const string Xml = """
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_foo</id>
            <title>Error</title><summary>incorrect id format for foo</summary></entry></feed>
            """;
        var error = Assert.Throws<ArxivQueryException>(() => AtomParser.ParseQuery(Xml, "query foo"));
        Assert.Equal("query foo: arXiv says: incorrect id format for foo", error.Message);
    }

    [Theory]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>""")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><feed xmlns="http://www.w3.org/2005/Atom"><title>&c;</title></feed>""")]
    public void Dtds_external_entities_and_entity_expansion_are_refused(string xml)
    {
        var error = Assert.Throws<ArxivFormatException>(() => AtomParser.ParseQuery(xml, "page 7"));
        Assert.Equal("page 7: refused: the document declares a DTD (entities are never expanded)", error.Message);
    }

    [Fact]
    public void Malformed_xml_names_the_place()
    {
        var error = Assert.Throws<ArxivFormatException>(() => OaiPmhParser.Parse("<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><ListRecords>\n<record>", "OAI-PMH set cs, page 2 (resumptionToken abc)"));
        Assert.StartsWith("OAI-PMH set cs, page 2 (resumptionToken abc): malformed XML at line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oai_errors_other_than_no_records_are_raised_with_their_code()
    {
        const string Xml = """<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badResumptionToken">expired</error></OAI-PMH>""";
        Assert.Equal("badResumptionToken", Assert.Throws<OaiPmhException>(() => OaiPmhParser.Parse(Xml, "p")).Code);
        const string None = """<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="noRecordsMatch"/></OAI-PMH>""";
        Assert.Empty(OaiPmhParser.Parse(None, "p").Records);
    }
}
