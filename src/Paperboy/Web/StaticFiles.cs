using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Paperboy.Web;

/// <summary>
/// The stylesheet (and any other asset) is compiled into the executable, so the site works offline and a
/// single binary is the whole deployment. Served with an ETag; pages link it with the hash as a version.
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
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            result[name["static/".Length..]] = new Asset(bytes, type, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        }
        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The URL of an asset with its content hash, so browsers may cache it for a year.</summary>
    public static string Url(string file) => Assets.TryGetValue(file, out var a) ? $"/static/{file}?v={a.ETag}" : $"/static/{file}";

    public static void MapStaticFiles(this IEndpointRouteBuilder e) =>
        e.MapGet("/static/{file}", (string file, HttpContext http) =>
        {
            if (!Assets.TryGetValue(file, out var asset))
                return Results.NotFound();
            var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{asset.ETag}\"");
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            if (http.Request.Headers.IfNoneMatch.ToString() == etag.Tag.ToString())
                return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(asset.Bytes, asset.ContentType, entityTag: etag);
        }).ExcludeFromDescription();
}
