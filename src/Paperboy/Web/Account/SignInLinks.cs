using Microsoft.Extensions.Options;
using Paperboy.Core.Accounts;
using Paperboy.Core.Mail;
using Paperboy.Hosting;

namespace Paperboy.Web.Account;

/// <summary>
/// Emailed sign-in links: 256 random bits, only the hash stored, usable once, for <c>Community:SignInLinkMinutes</c>.
/// The link and its mail are written in one transaction (the outbox sends it). Whether or not the address belongs to a
/// member, the same work is done and the same answer given: a stranger learns nothing about who is a member. With no
/// SMTP host configured, the mail is a file under DATA/mail and the link is also logged, so a fresh install can sign in.
/// </summary>
public sealed class SignInLinks(
    IAccountStore accounts, IUserStore users, OutboxSender sender, IOptions<CommunityOptions> community, SiteUrl site,
    IOptions<MailOptions> mail, TimeProvider clock, ILogger<SignInLinks> log)
{
    public TimeSpan Lifetime => TimeSpan.FromMinutes(community.Value.SignInLinkMinutes);

    public async Task SendAsync(HttpContext http, string email, string purpose, long? userId, string? returnUrl, CancellationToken ct)
    {
        var token = ApiTokens.NewSecret();
        var url = $"{site.Base(http)}/sign-in/link?token={token}";
        var member = await users.FindUserByEmailAsync(email, ct);
        var minutes = community.Value.SignInLinkMinutes;
        var (subject, text) = purpose == SignInLink.EmailChange
            ? ("Confirm your new Paperboy address",
               $"Someone (we hope you) asked to use this address for a Paperboy account.\n\nOpen this link within {minutes} minutes to confirm:\n{url}\n\nIf it was not you, ignore this mail: nothing changes without the link.\n")
            : member is null
                ? ("Your Paperboy sign-in link",
                   $"Open this link within {minutes} minutes to create your Paperboy account (you will choose a handle):\n{url}\n\nIf you did not ask for it, ignore this mail: nothing happens without the link.\n")
                : ("Your Paperboy sign-in link",
                   $"Hello {member.Handle},\n\nopen this link within {minutes} minutes to sign in to Paperboy:\n{url}\n\nIt works once. If you did not ask for it, ignore this mail: nobody can sign in without it.\n");
        var html = $"<p>{System.Net.WebUtility.HtmlEncode(text.Split("\n\n")[0]).Replace("\n", "<br>", StringComparison.Ordinal)}</p>" +
                   $"<p><a href=\"{System.Net.WebUtility.HtmlEncode(url)}\">{(purpose == SignInLink.EmailChange ? "Confirm this address" : "Sign in to Paperboy")}</a></p>" +
                   $"<p style=\"color:#666\">The link works once, for {minutes} minutes. If you did not ask for it, ignore this mail.</p>";
        var now = clock.GetUtcNow();
        await accounts.CreateSignInLinkAsync(ApiTokens.Hash(token), new SignInLink(email, purpose, userId, returnUrl), now, now + Lifetime,
            new OutboxMessage("sign-in", email, subject, text, html), ct);
        sender.Wake();
        if (string.IsNullOrWhiteSpace(mail.Value.Smtp.Host))
            log.LogInformation("No SMTP host is set (Mail:Smtp:Host): the {Purpose} link for {Email} is {Url} (the message is also written under the mail folder)", purpose, email, url);
    }

    /// <summary>Only paths on this site are returned to after signing in (no open redirect).</summary>
    public static string SafeReturn(string? url) =>
        url is { Length: > 0 and < 2000 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) && !url.Any(char.IsControl)
            ? url
            : "/";
}
