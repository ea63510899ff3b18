using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Paperboy.Core.Papers;
using Paperboy.Hosting;

namespace Paperboy.Web.Papers;

/// <summary>
/// Listing reads are the hot path and change only when an import or ingest commits. Results are cached
/// until the store's change stamp moves; the stamp is looked up at most once per poll interval, so another
/// process's writes show within that interval.
/// </summary>
public sealed class CachedReads(IPaperReader store, Core.Community.IDailyStore daily, IOptions<WebOptions> options, TimeProvider clock) : IDisposable
{
    private const int MaxEntries = 4_096;

    private readonly ConcurrentDictionary<object, Task<object>> _entries = new();
    private readonly TimeSpan _poll = TimeSpan.FromSeconds(options.Value.ChangePollSeconds);
    private readonly SemaphoreSlim _stampLock = new(1, 1);
    private long _stamp = long.MinValue;
    private long _checkedAt = long.MinValue;

    public IPaperReader Store => store;

    public Task<ListingPage> ListingAsync(ListingQuery q, CancellationToken ct) =>
        GetAsync(q, () => store.GetListingAsync(q, ct), ct);

    public Task<(DateOnly? Previous, DateOnly? Next)> NeighboursAsync(ListingPeriod period, CancellationToken ct) =>
        GetAsync(("neighbours", period), () => store.GetNeighbourDaysAsync(period, ct), ct);

    public Task<IReadOnlyList<(string Category, int Count)>> CategoriesAsync(ListingPeriod period, CancellationToken ct) =>
        GetAsync(("categories", period), () => store.GetCategoryCountsAsync(period, ct), ct);

    /// <summary>The Daily: featured papers of the period.</summary>
    public Task<ListingPage> DailyAsync(ListingQuery q, CancellationToken ct) =>
        GetAsync(("daily", q), () => daily.GetDailyAsync(q, ct), ct);

    public Task<(DateOnly? Previous, DateOnly? Next)> DailyNeighboursAsync(ListingPeriod period, CancellationToken ct) =>
        GetAsync(("daily-neighbours", period), () => daily.GetNeighbourDailyDaysAsync(period, ct), ct);

    public Task<DateOnly?> LatestDailyDayAsync(CancellationToken ct) =>
        GetAsync("latest-daily", () => daily.GetLatestDailyDayAsync(ct), ct);

    public Task<DateOnly?> LatestDayAsync(CancellationToken ct) =>
        GetAsync("latest", () => store.GetLatestListingDayAsync(ct), ct);

    private async Task<T> GetAsync<T>(object key, Func<Task<T>> load, CancellationToken ct)
    {
        await RefreshStampAsync(ct);
        if (_entries.Count > MaxEntries)
            _entries.Clear();
        var task = _entries.GetOrAdd(key, _ => LoadBoxed(load));
        try
        {
            return (T)await task;
        }
        catch
        {
            // A failed read is not cached.
            _entries.TryRemove(new KeyValuePair<object, Task<object>>(key, task));
            throw;
        }
    }

    private static async Task<object> LoadBoxed<T>(Func<Task<T>> load) => (await load())!;

    /// <summary>The store's change stamp as last seen (checked at most once per poll interval).</summary>
    public async Task<long> StampAsync(CancellationToken ct)
    {
        await RefreshStampAsync(ct);
        return Volatile.Read(ref _stamp);
    }

    private async Task RefreshStampAsync(CancellationToken ct)
    {
        var now = clock.GetTimestamp();
        if (clock.GetElapsedTime(Volatile.Read(ref _checkedAt), now) < _poll && _checkedAt != long.MinValue)
            return;
        if (!await _stampLock.WaitAsync(0, ct))
            return; // someone else is checking; serve what we have
        try
        {
            var stamp = await store.GetChangeStampAsync(ct);
            if (stamp != _stamp)
            {
                _entries.Clear();
                Volatile.Write(ref _stamp, stamp);
            }
            Volatile.Write(ref _checkedAt, clock.GetTimestamp());
        }
        finally
        {
            _stampLock.Release();
        }
    }

    public void Dispose() => _stampLock.Dispose();
}
