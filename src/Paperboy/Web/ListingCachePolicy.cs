using Microsoft.AspNetCore.OutputCaching;

namespace Paperboy.Web;

/// <summary>
/// Whole listing responses are cached until the store changes: the store's change stamp is part of the cache
/// key, so an import shows within the poll interval and nothing is ever served stale beyond it.
/// Only anonymous GET/HEAD answers of 200 or 404 are stored.
/// </summary>
public sealed class ListingCachePolicy : IOutputCachePolicy
{
    public const string Name = "listing";

    public async ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var request = context.HttpContext.Request;
        var cacheable = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        if (!cacheable)
            return;
        var stamp = await context.HttpContext.RequestServices.GetRequiredService<CachedReads>().StampAsync(cancellation);
        context.CacheVaryByRules.QueryKeys = "*";
        context.CacheVaryByRules.VaryByValues["stamp"] = stamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.ResponseExpirationTimeSpan = TimeSpan.FromMinutes(30);
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode is not (StatusCodes.Status200OK or StatusCodes.Status404NotFound) || response.Headers.SetCookie.Count > 0)
            context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}
