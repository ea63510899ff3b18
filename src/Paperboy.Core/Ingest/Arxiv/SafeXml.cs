using System.Xml;
using System.Xml.Linq;

namespace Paperboy.Core.Ingest.Arxiv;

/// <summary>An answer from arXiv that cannot be understood; the message names the page or request.</summary>
public sealed class ArxivFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// XML from the network is parsed with DTDs prohibited and no resolver: no external entities (XXE), no entity
/// expansion bombs. A document that declares a DTD is refused outright.
/// </summary>
public static class SafeXml
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = ArxivHttp.MaxBodyBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    /// <param name="where">Named in the error: "OAI-PMH page 3 (resumptionToken …)".</param>
    public static XDocument Parse(string text, string where)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), Settings);
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArxivFormatException($"{where}: refused: the document declares a DTD (entities are never expanded)", ex);
        }
        catch (XmlException ex)
        {
            throw new ArxivFormatException($"{where}: malformed XML at line {ex.LineNumber}, position {ex.LinePosition}: {ex.Message}", ex);
        }
    }
}
