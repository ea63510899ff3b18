using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Paperboy.Hosting;

namespace Paperboy.Web;

/// <summary>
/// The site's absolute address, for what leaves the page: links in mail, feed items. <c>Web:PublicUrl</c>, else the
/// first address the server listens on (the first <c>--urls</c>, its port as bound), else the request's own, else
/// (a job or verb with no server) the default address.
/// </summary>
public sealed class SiteUrl(IOptions<WebOptions> web, IServiceProvider services)
{
    public string Base(HttpContext? http)
    {
        if (!string.IsNullOrWhiteSpace(web.Value.PublicUrl))
            return web.Value.PublicUrl.TrimEnd('/');
        var first = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (first is not null && !first.Contains('*', StringComparison.Ordinal) && !first.Contains("//+", StringComparison.Ordinal)
            && !first.Contains("0.0.0.0", StringComparison.Ordinal) && !first.Contains("[::]", StringComparison.Ordinal))
            return first.TrimEnd('/');
        return http is null ? PaperboyWeb.DefaultUrl : $"{http.Request.Scheme}://{http.Request.Host}";
    }
}
