using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Paperboy.Core.Ingest.Arxiv;

/// <summary>A response read whole: arXiv's answers are small, and parsers want the text.</summary>
public sealed record ArxivResponse(Uri Url, HttpStatusCode Status, string Body);

/// <summary>arXiv could not be reached, or kept failing after every retry.</summary>
public sealed class ArxivUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The only way Paperboy calls arXiv. Every attempt waits its turn at the shared <see cref="ArxivRateLimiter"/>;
/// timeouts, dropped connections and 5xx are retried with a doubling delay; a 503's Retry-After is honoured. A host
/// name that does not resolve fails at once: that is no network, not a passing fault.
/// 4xx answers are returned to the caller (the query API explains bad queries in a 400's body).
/// </summary>
public sealed class ArxivHttp(HttpClient http, ArxivRateLimiter limiter, ArxivOptions options, ILogger<ArxivHttp>? log = null)
{
    /// <summary>No arXiv answer is anywhere near this; a larger one is refused rather than buffered.</summary>
    public const int MaxBodyBytes = 64 << 20;

    private readonly ILogger _log = log ?? NullLogger<ArxivHttp>.Instance;

    public static string UserAgent(ArxivOptions options) =>
        "Paperboy/0.1 (self-hosted research-paper listing; " + (options.ContactEmail.Length > 0 ? "mailto:" + options.ContactEmail : "no contact configured") + ")";

    /// <summary>Configures an HttpClient for arXiv: User-Agent, timeout, no cookies kept.</summary>
    public static void Configure(HttpClient client, ArxivOptions options)
    {
        client.DefaultRequestHeaders.UserAgent.Clear();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", UserAgent(options));
        client.DefaultRequestHeaders.Accept.ParseAdd("application/xml, application/atom+xml, text/xml;q=0.9, */*;q=0.1");
        client.Timeout = Timeout.InfiniteTimeSpan; // per attempt, below
    }

    public async Task<ArxivResponse> GetAsync(Uri url, CancellationToken ct)
    {
        var delay = options.RetryDelay < limiter.Interval ? limiter.Interval : options.RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            string failure;
            using (await limiter.AcquireAsync(ct))
            {
                using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attemptCts.CancelAfter(options.Timeout);
                try
                {
                    using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, attemptCts.Token);
                    var status = response.StatusCode;
                    if ((int)status < 500)
                        return new ArxivResponse(url, status, await ReadBodyAsync(response, attemptCts.Token));
                    failure = $"HTTP {(int)status}";
                    if (status == HttpStatusCode.ServiceUnavailable && RetryAfter(response) is { } wait)
                    {
                        if (wait > options.MaxRetryAfter)
                            throw new ArxivUnavailableException($"{url}: arXiv asked to wait {wait.TotalSeconds:N0} s (Retry-After); try again later");
                        _log.LogInformation("arXiv answered 503 with Retry-After {Seconds} s for {Url}", wait.TotalSeconds, url);
                        limiter.Defer(wait);
                        if (attempt < options.MaxRetries)
                            continue; // a Retry-After is the server's schedule, not a failure: no extra backoff
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    failure = $"no answer within {options.Timeout.TotalSeconds:N0} s";
                }
                catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.NameResolutionError)
                {
                    // No name service (offline, a closed network) does not come back in seconds: say so at once.
                    throw new ArxivUnavailableException($"{url.Host} could not be found (name resolution failed: no network, or no DNS?); not retried", ex);
                }
                catch (HttpRequestException ex)
                {
                    failure = ex.Message;
                }
                catch (IOException ex)
                {
                    failure = "connection broke off: " + ex.Message;
                }
                if (attempt >= options.MaxRetries)
                    throw new ArxivUnavailableException($"{url}: {failure} (after {attempt + 1} attempts)");
                limiter.Defer(delay);
            }
            _log.LogWarning("arXiv request {Url} failed ({Failure}); retry {Attempt} of {Max}", url, failure, attempt + 1, options.MaxRetries);
            delay *= 2;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var h = response.Headers.RetryAfter;
        if (h?.Delta is { } d)
            return d;
        if (h?.Date is { } date)
            return date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        return null;
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxBodyBytes)
            throw new ArxivUnavailableException($"{response.RequestMessage?.RequestUri}: answer of {response.Content.Headers.ContentLength:N0} bytes is too large");
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxBodyBytes)
                throw new ArxivUnavailableException($"{response.RequestMessage?.RequestUri}: answer larger than {MaxBodyBytes:N0} bytes");
            buffer.Write(chunk, 0, n);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
