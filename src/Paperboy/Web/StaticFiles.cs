using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Paperboy.Web;

/// <summary>
/// The stylesheet, math.js and KaTeX (Web/Static/katex, with its licence) are compiled into the executable, so the
/// site works offline, needs no CDN, and a single binary is the whole deployment. Served with an ETag; pages link
/// them with the hash as a version (KaTeX's fonts, named from its stylesheet, go without one: they change only
/// with a new KaTeX).
/// </summary>
public static class StaticFiles
{
    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    private static FrozenDictionary<string, Asset> Load()
    {
        var asm = typeof(StaticFiles).Assembly;
        var result = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("static/", StringComparison.Ordinal)))
        {
            using var s = asm.GetManifestResourceStream(name)!;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            var bytes = ms.ToArray();
            var type = name.EndsWith("LICENSE", StringComparison.Ordinal) ? "text/plain; charset=utf-8" : Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                ".woff2" => "font/woff2",
                _ => "application/octet-stream",
            };
            result[name["static/".Length..]] = new Asset(bytes, type, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        }
        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The URL of an asset with its content hash, so browsers may cache it for a year.</summary>
    public static string Url(string file) => Assets.TryGetValue(file, out var a) ? $"/static/{file}?v={a.ETag}" : $"/static/{file}";

    /// <summary>
    /// <c>/static/{path}</c>, folders included (katex/fonts/...). Only the embedded names are served, so a path that
    /// climbs (<c>..</c>) or names anything else is not found.
    /// </summary>
    public static void MapStaticFiles(this IEndpointRouteBuilder e) =>
        e.MapGet("/static/{**file}", (string? file, HttpContext http) =>
        {
            if (file is null || file.Contains("..", StringComparison.Ordinal) || !Assets.TryGetValue(file, out var asset))
                return Results.NotFound();
            var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{asset.ETag}\"");
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            if (http.Request.Headers.IfNoneMatch.ToString() == etag.Tag.ToString())
                return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(asset.Bytes, asset.ContentType, entityTag: etag);
        }).ExcludeFromDescription();
}
