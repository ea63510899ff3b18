using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Paperboy.Core.Accounts;
using Paperboy.Core.Mail;
using Paperboy.Hosting;

namespace Paperboy.Tests.Infrastructure;

/// <summary>Members for web tests: signed in through the real emailed-link flow, or with an API token.</summary>
public static partial class MemberSessions
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    public static partial Regex FormToken();

    [GeneratedRegex(@"https?://[^\s""<]+/sign-in/link\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex LinkPattern();

    /// <summary>
    /// A client that keeps cookies like a browser, but ignores their expiry dates: tests run the app on a fixed clock
    /// in 2025, and a real cookie container would drop a cookie that "expired" then. Redirects are not followed.
    /// </summary>
    public static HttpClient Browser(PaperboyFactory factory) => factory.CreateDefaultClient(new CookieJar());

    private sealed class CookieJar : DelegatingHandler
    {
        private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_cookies)
            {
                if (_cookies.Count > 0 && !request.Headers.Contains("Cookie"))
                    request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => c.Key + "=" + c.Value)));
            }
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                lock (_cookies)
                {
                    foreach (var header in setCookies)
                    {
                        var pair = header.Split(';')[0];
                        var eq = pair.IndexOf('=', StringComparison.Ordinal);
                        var (name, value) = (pair[..eq].Trim(), pair[(eq + 1)..].Trim());
                        if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                            _cookies.Remove(name);
                        else
                            _cookies[name] = value;
                    }
                }
            }
            return response;
        }
    }

    /// <summary>Asks for a sign-in link on the web form and returns the link from the mail (the .eml written under DATA/mail).</summary>
    public static async Task<string> RequestLinkAsync(PaperboyFactory factory, HttpClient http, string email)
    {
        var form = await http.GetStringAsync(new Uri("/sign-in", UriKind.Relative));
        using var posted = await http.PostAsync(new Uri("/sign-in", UriKind.Relative),
            new FormUrlEncodedContent([new("Email", email), new("__RequestVerificationToken", FormToken().Match(form).Groups[1].Value)]));
        if (posted.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"sign-in form answered {(int)posted.StatusCode}");
        return await LinkFromPickupAsync(factory, email);
    }

    /// <summary>Waits for the outbox sender to write the mail to <paramref name="email"/> and returns its newest link.</summary>
    public static async Task<string> LinkFromPickupAsync(PaperboyFactory factory, string email)
    {
        var mail = factory.Services.GetRequiredService<IOptions<MailOptions>>().Value;
        var folder = mail.PickupDirectory ?? Path.Combine(factory.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, "mail");
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.GetFiles(folder, "*.eml").OrderByDescending(File.GetLastWriteTimeUtc))
                {
                    var message = await MimeKit.MimeMessage.LoadAsync(file);
                    if (message.To.Mailboxes.Any(m => string.Equals(m.Address, email, StringComparison.OrdinalIgnoreCase)))
                        return LinkPattern().Match(message.TextBody ?? "").Value;
                }
            }
            factory.Services.GetRequiredService<OutboxSender>().Wake();
            await Task.Delay(50);
        }
        throw new TimeoutException($"no mail to {email}");
    }

    /// <summary>Follows a sign-in link (its page, then its button); a new address then chooses <paramref name="handle"/>.</summary>
    public static async Task<HttpResponseMessage> UseLinkAsync(HttpClient http, string link, string? handle = null)
    {
        var path = new Uri(link).PathAndQuery;
        var page = await http.GetStringAsync(new Uri(path, UriKind.Relative));
        var token = Regex.Match(path, "token=([^&]+)").Groups[1].Value;
        var used = await http.PostAsync(new Uri("/sign-in/link", UriKind.Relative),
            new FormUrlEncodedContent([new("Token", token), new("__RequestVerificationToken", FormToken().Match(page).Groups[1].Value)]));
        if (handle is null || used.StatusCode != HttpStatusCode.OK)
            return used;
        var welcome = await used.Content.ReadAsStringAsync();
        var ticket = Regex.Match(welcome, "name=\"Ticket\" value=\"([^\"]+)\"").Groups[1].Value;
        used.Dispose();
        return await http.PostAsync(new Uri("/sign-in/link?handler=Welcome", UriKind.Relative),
            new FormUrlEncodedContent([new("Ticket", WebUtility.HtmlDecode(ticket)), new("Handle", handle), new("__RequestVerificationToken", FormToken().Match(welcome).Groups[1].Value)]));
    }

    /// <summary>A browser-like client signed in as a new member with this handle.</summary>
    public static async Task<HttpClient> SignUpAsync(PaperboyFactory factory, string handle)
    {
        var http = Browser(factory);
        var link = await RequestLinkAsync(factory, http, handle + "@example.org");
        using var done = await UseLinkAsync(http, link, handle);
        if (done.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"sign-up of {handle} answered {(int)done.StatusCode}: {await done.Content.ReadAsStringAsync()}");
        return http;
    }

    /// <summary>The antiforgery header value for a signed-in client's API writes (from GET /api/me/state).</summary>
    public static async Task<string> CsrfAsync(HttpClient http)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/me/state", UriKind.Relative)));
        return doc.RootElement.GetProperty("csrf").GetString()!;
    }

    /// <summary>A member made in the store, with a personal API token (for API tests).</summary>
    public static async Task<(User User, string Token)> WithTokenAsync(IServiceProvider services, string handle, UserRole role = UserRole.Member)
    {
        var users = services.GetRequiredService<IUserStore>();
        var user = await users.AddUserAsync(handle + "@example.org", handle, role);
        var (token, hash) = ApiTokens.Create();
        await users.AddApiTokenAsync(user.Id, hash);
        return (user, token);
    }

    public static HttpRequestMessage Bearer(HttpMethod method, string url, string token, object? json = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
            request.Content = System.Net.Http.Json.JsonContent.Create(json);
        return request;
    }
}
