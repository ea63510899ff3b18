using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Paperboy.Core.Papers;

namespace Paperboy.Web;

/// <summary>
/// Data Protection's key ring in the database (see <see cref="IDataProtectionKeys"/>): restarts and every node behind a
/// balancer sign and accept the same cookies and antiforgery tokens. The keys are as secret as the database itself;
/// back it up and guard it accordingly.
/// </summary>
public sealed class DatabaseKeyRepository(IDataProtectionKeys keys) : IXmlRepository
{
    private static readonly XmlReaderSettings NoDtd = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };

    // Data Protection's repository API is synchronous; it is called when the key ring loads and about every 90 days
    // when a key is made, never per request.
    public IReadOnlyCollection<XElement> GetAllElements() =>
        keys.GetDataProtectionKeysAsync().GetAwaiter().GetResult().Select(Parse).ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        keys.AddDataProtectionKeyAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();

    private static XElement Parse(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml), NoDtd);
        return XElement.Load(reader);
    }

    /// <summary>Data Protection with its keys here, one application name for every node.</summary>
    public static void AddTo(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Paperboy");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IDataProtectionKeys>((o, keys) => o.XmlRepository = new DatabaseKeyRepository(keys));
    }
}
