using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Paperboy.Web.Account;

/// <summary>The account feature: who a request is (a personal API token today; sign-in cookies come next).</summary>
public static class AccountApi
{
    public static IServiceCollection AddAccount(this IServiceCollection services)
    {
        services.AddAuthentication(ApiTokenAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null);
        services.AddAuthorization();
        return services;
    }

    public static void MapAccount(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api").WithTags("account").MapGet("/me", (ClaimsPrincipal user) => Results.Ok(new
        {
            id = long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture),
            handle = user.Identity!.Name,
            email = user.FindFirstValue(ClaimTypes.Email),
            role = user.FindFirstValue(ClaimTypes.Role),
        }))
            .RequireAuthorization()
            .WithSummary("The member a request is made as (Authorization: Bearer with a personal API token)")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }
}
