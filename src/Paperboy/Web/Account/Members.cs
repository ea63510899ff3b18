using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Paperboy.Core.Accounts;

namespace Paperboy.Web.Account;

/// <summary>
/// The member behind a request. Cookies and tokens carry only the member's id; the member itself (handle, role,
/// ban) is read from the database and kept for a few seconds, so a ban or a deleted account takes effect on every
/// node within that time without a query per request.
/// </summary>
public sealed class Members(IAccountStore accounts, TimeProvider clock)
{
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<long, (User? User, DateTimeOffset Until)> _cache = new();

    public const string MemberItem = "paperboy.member";

    public async Task<User?> FindAsync(long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(id, out var hit) && hit.Until > now)
            return hit.User;
        var user = await accounts.FindUserByIdAsync(id, ct);
        if (_cache.Count > 10_000)
            _cache.Clear();
        _cache[id] = (user, now + Keep);
        return user;
    }

    /// <summary>Forgets a member this node changed, so its next request sees the change at once.</summary>
    public void Forget(long id) => _cache.TryRemove(id, out _);

    /// <summary>The signed-in member of the request (cookie or token), or null.</summary>
    public async Task<User?> CurrentAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(MemberItem, out var known))
            return known as User;
        User? user = null;
        if (http.User.Identity?.IsAuthenticated == true
            && long.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            user = await FindAsync(id, http.RequestAborted);
        http.Items[MemberItem] = user;
        return user;
    }

    public static ClaimsPrincipal Principal(User user, string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, user.Handle),
        new Claim(ClaimTypes.Role, user.Role.ToString().ToLowerInvariant()),
    ], scheme));

    /// <summary>True when the request was authenticated by the sign-in cookie (and so needs an antiforgery token to write).</summary>
    public static bool ByCookie(HttpContext http) => http.User.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme;
}

/// <summary>
/// Write endpoints of the API: the caller must be a member (cookie with an antiforgery header, or a Bearer token),
/// not banned. The member is left in <c>HttpContext.Items</c> for the endpoint.
/// </summary>
public sealed class RequireMember : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var members = http.RequestServices.GetRequiredService<Members>();
        var user = await members.CurrentAsync(http);
        if (user is null)
            return Results.Problem(statusCode: 401, title: "Sign in first",
                detail: "This needs a member: sign in at /sign-in (the page's requests then carry the cookie), or send Authorization: Bearer with a personal API token.");
        if (Members.ByCookie(http) && !HttpMethods.IsGet(http.Request.Method))
        {
            try
            {
                await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                return Results.Problem(statusCode: 400, title: "Bad request",
                    detail: "The antiforgery token is missing or not valid: send the X-CSRF-TOKEN header from GET /api/me/state (or use a Bearer token).");
            }
        }
        if (user.IsBanned && !HttpMethods.IsGet(http.Request.Method))
            return Banned(user);
        return await next(context);
    }

    public static IResult Banned(User user) => Results.Problem(statusCode: 403, title: "Banned",
        detail: $"An admin has banned this account ({user.BanReason}): it cannot vote, comment or submit. Write to the site's admin if you think this is a mistake.");
}
