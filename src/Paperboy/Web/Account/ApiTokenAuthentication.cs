using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Paperboy.Core.Accounts;

namespace Paperboy.Web.Account;

/// <summary>
/// <c>Authorization: Bearer pb_…</c>: a member's personal API token (see <c>paperboy users token</c> and the
/// settings page), looked up by its hash. Other bearer values (the operator's <c>Web:AdminToken</c>) are left to the
/// endpoints that know them.
/// </summary>
public sealed class ApiTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IUserStore users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer " + ApiTokens.Prefix, StringComparison.Ordinal))
            return AuthenticateResult.NoResult();
        var user = await users.FindUserByApiTokenHashAsync(ApiTokens.Hash(header["Bearer ".Length..].Trim()), Context.RequestAborted);
        if (user is null)
            return AuthenticateResult.Fail("the API token is not valid (revoked, or mistyped)");
        Context.Items[Members.MemberItem] = user;
        return AuthenticateResult.Success(new AuthenticationTicket(Members.Principal(user, SchemeName), SchemeName));
    }
}
