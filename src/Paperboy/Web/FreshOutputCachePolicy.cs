using Microsoft.AspNetCore.OutputCaching;
using Paperboy.Core.Search;
using Paperboy.Web.Papers;
using Paperboy.Web.Submit;

namespace Paperboy.Web;

/// <summary>
/// Whole responses for anonymous readers, cached until what they were made from changes: the store's change stamp
/// (and, for answers that search made, the search index's version) is part of the cache key, so an import shows
/// within the poll interval and a newly embedded paper as soon as it is searchable; nothing stale is served.
/// Identical requests that arrive together wait for one answer instead of all doing the work. Only GET/HEAD answers
/// of 200 or 404 without cookies are stored, and requests that carry credentials are never answered from it.
/// </summary>
public sealed class FreshOutputCachePolicy(bool dependsOnSearch, bool sameForMembers = false) : IOutputCachePolicy
{
    /// <summary>Listings and the daily_papers API: made from the store alone.</summary>
    public const string Listing = "listing";

    /// <summary>Search answers and paper pages (their similar papers): the store and the search indexes.</summary>
    public const string Search = "search";

    public static void AddPolicies(OutputCacheOptions options)
    {
        // Listings are the same page for members (their votes are marked by the page's script), so members share it.
        options.AddPolicy(Listing, new FreshOutputCachePolicy(dependsOnSearch: false, sameForMembers: true));
        options.AddPolicy(Search, new FreshOutputCachePolicy(dependsOnSearch: true));
    }

    public async ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var cacheable = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && request.Headers.Authorization.Count == 0 && (sameForMembers || http.User.Identity?.IsAuthenticated != true);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        if (!cacheable)
            return;
        var stamp = await http.RequestServices.GetRequiredService<CachedReads>().StampAsync(cancellation);
        context.CacheVaryByRules.QueryKeys = "*";
        context.CacheVaryByRules.VaryByValues["stamp"] = stamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // "/" and the default daily_papers are today's Daily: a new day is a new page.
        context.CacheVaryByRules.VaryByValues["day"] = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        if (dependsOnSearch)
        {
            var version = http.RequestServices.GetRequiredService<SearchEngine>().Version;
            context.CacheVaryByRules.VaryByValues["index"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // A paper page for a paper being fetched says so, then shows it: not a "not found" from before.
            var pending = http.RequestServices.GetRequiredService<PendingSubmissions>().Version;
            context.CacheVaryByRules.VaryByValues["pending"] = pending.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        context.ResponseExpirationTimeSpan = dependsOnSearch ? TimeSpan.FromMinutes(10) : TimeSpan.FromMinutes(30);
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
