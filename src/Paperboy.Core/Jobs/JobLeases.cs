namespace Paperboy.Core.Jobs;

/// <summary>
/// Leases for singleton jobs (daily ingestion, the digest run, the nightly recommendation pass): a row with an owner
/// and an expiry. Any number of nodes may run <c>serve</c>; the one holding a job's lease runs it, renewing it while it
/// works, and when that node dies the lease runs out and another takes the job over.
/// </summary>
public interface IJobLeases
{
    /// <summary>Takes (or renews, for its owner) the lease until <paramref name="until"/>; false while another owner holds it.</summary>
    Task<bool> TryTakeAsync(string name, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken ct = default);

    Task ReleaseAsync(string name, string owner, CancellationToken ct = default);

    /// <summary>Every lease row (held or run out), for status pages and metrics.</summary>
    Task<IReadOnlyList<LeaseHolder>> ListAsync(CancellationToken ct = default);
}

public sealed record LeaseHolder(string Name, string Owner, DateTimeOffset ExpiresAt);

/// <summary>This process as a lease owner: machine, process id and a random part (a restarted process is a new owner).</summary>
public static class NodeName
{
    public static string Current { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
}

/// <summary>
/// A held lease, renewed in the background every third of its term until disposed (then released). When a renewal
/// finds the lease taken by another node, or cannot reach the database for a whole term, <see cref="Lost"/> is
/// cancelled: the job stops, and what it recorded stays recorded.
/// </summary>
public sealed class JobLease : IAsyncDisposable
{
    /// <summary>How long a lease lasts without renewal: a dead node's job is taken over within about this long.</summary>
    public static readonly TimeSpan DefaultTerm = TimeSpan.FromSeconds(45);

    private readonly IJobLeases _leases;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _term;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;

    public string Name { get; }

    public string Owner { get; }

    /// <summary>Cancelled when the lease is lost.</summary>
    public CancellationToken Lost => _lost.Token;

    private JobLease(IJobLeases leases, string name, string owner, TimeProvider clock, TimeSpan term)
    {
        (_leases, Name, Owner, _clock, _term) = (leases, name, owner, clock, term);
        _renewal = Task.Run(RenewAsync);
    }

    /// <summary>The lease, or null while another node holds it.</summary>
    public static async Task<JobLease?> TryTakeAsync(IJobLeases leases, string name, TimeProvider clock, TimeSpan? term = null, string? owner = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(clock);
        var t = term ?? DefaultTerm;
        // Each take is its own holder (two hosts in one process, as in tests, must not share a lease); the prefix names the node.
        owner ??= $"{NodeName.Current}/{Guid.NewGuid().ToString("N")[..6]}";
        var now = clock.GetUtcNow();
        return await leases.TryTakeAsync(name, owner, now, now + t, ct) ? new JobLease(leases, name, owner, clock, t) : null;
    }

    private async Task RenewAsync()
    {
        var lastRenewed = _clock.GetUtcNow();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_term / 3, _clock, _stop.Token);
                var now = _clock.GetUtcNow();
                if (!await _leases.TryTakeAsync(Name, Owner, now, now + _term, _stop.Token))
                {
                    await _lost.CancelAsync();
                    return;
                }
                lastRenewed = now;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception) when (_clock.GetUtcNow() - lastRenewed < _term)
            {
                // The database did not answer this time; the lease is still ours until its term runs out.
            }
            catch (Exception)
            {
                await _lost.CancelAsync();
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewal;
        try
        {
            if (!_lost.IsCancellationRequested)
                await _leases.ReleaseAsync(Name, Owner, CancellationToken.None);
        }
        finally
        {
            _stop.Dispose();
            _lost.Dispose();
        }
    }
}
