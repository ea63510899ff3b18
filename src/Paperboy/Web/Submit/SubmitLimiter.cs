using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Paperboy.Hosting;

namespace Paperboy.Web.Submit;

/// <summary>
/// Submitting a paper costs an arXiv request, so each client gets a few per window (the web form and the API
/// share the budget). Keyed by the client's address; until accounts exist that is all there is to key on.
/// </summary>
public sealed class SubmitLimiter(IOptions<WebOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.SubmitsPerWindow,
            Window = options.Value.SubmitWindow,
            QueueLimit = 0,
        }));

    public bool TryAcquire(HttpContext http)
    {
        using var lease = _limiter.AttemptAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "local");
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
