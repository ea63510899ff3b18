using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;

namespace Paperboy.Web.Account;

/// <summary>
/// The account feature: who a request is. Browsers carry the sign-in cookie (HttpOnly, SameSite=Lax, Secure over
/// https); scripts and other programs a personal API token (<c>Authorization: Bearer pb_…</c>). Both reach the same
/// endpoints. Pages: sign-in, the link, the first-visit handle, settings, profiles (beside this file).
/// </summary>
public static class AccountApi
{
    public const string Scheme = "member";

    /// <summary>A cookie scripts may read, saying only "a member is signed in here", so cached pages know to ask who.</summary>
    public const string HintCookie = "pb_member";

    public static IServiceCollection AddAccount(this IServiceCollection services)
    {
        services.AddSingleton<Members>();
        services.AddSingleton<SignInLinks>();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            o.Cookie.Name = "pb_af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Cookie or API token", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer " + ApiTokens.Prefix, StringComparison.Ordinal)
                    ? ApiTokenAuthentication.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "pb_auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromDays(30);
                o.SlidingExpiration = true;
                o.LoginPath = "/sign-in";
                o.AccessDeniedPath = "/error/403";
                o.Events.OnValidatePrincipal = ValidateAsync;
                o.Events.OnRedirectToLogin = c => ApiAnswer(c, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = c => ApiAnswer(c, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy("admin", p => p.RequireRole("admin"));
        return services;
    }

    /// <summary>A deleted member's cookie stops working; a changed handle or role is taken into the cookie.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var members = context.HttpContext.RequestServices.GetRequiredService<Members>();
        var id = long.TryParse(context.Principal?.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
        var user = id < 0 ? null : await members.FindAsync(id, context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        if (context.Principal!.Identity!.Name != user.Handle || !context.Principal.IsInRole(user.Role.ToString().ToLowerInvariant()))
        {
            context.ReplacePrincipal(Members.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme));
            context.ShouldRenew = true;
        }
    }

    private static Task ApiAnswer(RedirectContext<CookieAuthenticationOptions> c, int status)
    {
        if (c.Request.Path.StartsWithSegments("/api"))
        {
            c.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        c.Response.Redirect(c.RedirectUri);
        return Task.CompletedTask;
    }

    public static async Task SignInAsync(HttpContext http, User user)
    {
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Members.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme),
            new AuthenticationProperties { IsPersistent = true });
        http.Response.Cookies.Append(HintCookie, "1", new CookieOptions
        {
            HttpOnly = false, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, MaxAge = TimeSpan.FromDays(30), IsEssential = true,
        });
    }

    public static async Task SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        http.Response.Cookies.Delete(HintCookie);
    }

    public static void MapAccount(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/me").WithTags("account");
        api.MapGet("", async (HttpContext http, Members members) => await members.CurrentAsync(http) is { } user
                ? Results.Ok(Me(user))
                : Results.Problem(statusCode: 401, title: "Sign in first", detail: "No member: sign in, or send Authorization: Bearer with a personal API token."))
            .WithSummary("The member a request is made as (the sign-in cookie, or Authorization: Bearer with a personal API token)")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/state", StateAsync)
            .WithSummary("For cached pages' script: who is signed in, which of `ids` (comma-separated) they upvoted, saved (with tags), marked not interested or collected, their tags and collections, and the antiforgery token for their writes")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/votes", async (HttpContext http, Members members, IVoteStore votes, string? ids, CancellationToken ct) =>
            {
                var user = await members.CurrentAsync(http);
                if (user is null)
                    return Results.Problem(statusCode: 401, title: "Sign in first", detail: "No member: sign in, or send Authorization: Bearer with a personal API token.");
                return ParseIds(ids, out var list, out var problem) ? Results.Ok(await votes.GetVotedAsync(user.Id, list, ct)) : problem!;
            })
            .WithSummary("Which of the papers in `ids` (comma-separated, at most 200) the member has upvoted")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static object Me(User user) => new
    {
        id = user.Id,
        handle = user.Handle,
        displayName = user.DisplayName,
        email = user.Email,
        role = user.Role.ToString().ToLowerInvariant(),
        banned = user.IsBanned,
        banReason = user.BanReason,
    };

    private static async Task<IResult> StateAsync(HttpContext http, Members members, IVoteStore votes, Core.Library.ILibraryStore library, IAntiforgery antiforgery, string? ids, CancellationToken ct)
    {
        var user = await members.CurrentAsync(http);
        http.Response.Headers.CacheControl = "no-store";
        if (user is null)
            return Results.Problem(statusCode: 401, title: "Sign in first", detail: "No member is signed in here.");
        if (!ParseIds(ids, out var list, out var problem))
            return problem!;
        var voted = await votes.GetVotedAsync(user.Id, list, ct);
        // The library's buttons: each listed paper's marks, the member's tags and collections (for the pickers).
        var marks = await library.GetMarksAsync(user.Id, list, ct);
        var tags = await library.GetTagsAsync(user.Id, ct);
        var collections = await library.GetCollectionsAsync(user.Id, publicOnly: false, ct);
        var tokens = antiforgery.GetAndStoreTokens(http);
        return Results.Ok(new
        {
            member = Me(user),
            votes = voted,
            library = marks.Select(Library.ApiMarks.From),
            tags = tags.Select(t => t.Name),
            collections = collections.Select(c => new { id = c.Id, name = c.Name, url = Library.LibraryUrls.Collection(c), @public = c.IsPublic }),
            csrf = tokens.RequestToken,
        });
    }

    private static bool ParseIds(string? ids, out IReadOnlyList<string> list, out IResult? problem)
    {
        var parts = (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        problem = null;
        list = [];
        if (parts.Length > 200)
        {
            problem = Results.Problem(statusCode: 400, title: "Bad request", detail: $"ids: at most 200 ids, not {parts.Length}");
            return false;
        }
        if (parts.FirstOrDefault(p => !ArxivId.IsPaperId(p)) is { } bad)
        {
            problem = Results.Problem(statusCode: 400, title: "Bad request", detail: $"ids: '{TextNormalizer.Clip(bad)}' is not a paper id");
            return false;
        }
        list = parts.Distinct(StringComparer.Ordinal).ToList();
        return true;
    }
}
