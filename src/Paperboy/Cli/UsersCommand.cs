using System.CommandLine;
using Paperboy.Core.Accounts;

namespace Paperboy.Cli;

/// <summary><c>paperboy users add|list|token</c>: members from the command line (the first admin, say).</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var cmd = new Command("users", "Add and list members; make a personal API token");
        cmd.Subcommands.Add(Add());
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Token());
        return cmd;
    }

    private static Command Add()
    {
        var email = new Argument<string>("email") { Description = "The member's email address (sign-in links go there)" };
        var handle = new Option<string>("--handle") { Description = "2 to 32 of a-z, 0-9, '-' and '_' (default: from the email)" };
        var admin = new Option<bool>("--admin") { Description = "An admin rather than a member" };
        var cmd = new Command("add", "Add a member") { email, handle, admin };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var address = Emails.Normalize(parse.GetValue(email)) ?? throw new ArgumentException($"'{parse.GetValue(email)}' is not an email address");
            var name = Handles.Normalize(parse.GetValue(handle) ?? Handles.FromEmail(address), out var problem) ?? throw new ArgumentException(problem);
            await using var host = await CliHost.StartAsync(parse, ct);
            var user = await host.Get<IUserStore>().AddUserAsync(address, name, parse.GetValue(admin) ? UserRole.Admin : UserRole.Member, ct);
            Console.WriteLine($"added {user.Email} as @{user.Handle} ({user.Role.ToString().ToLowerInvariant()})");
            return 0;
        }));
        return cmd;
    }

    private static Command List()
    {
        var cmd = new Command("list", "List the members");
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct);
            foreach (var u in await host.Get<IUserStore>().ListUsersAsync(ct))
                Console.WriteLine($"{u.Id}\t@{u.Handle}\t{u.Email}\t{u.Role.ToString().ToLowerInvariant()}\t{u.CreatedAt:yyyy-MM-dd}");
            return 0;
        }));
        return cmd;
    }

    private static Command Token()
    {
        var email = new Argument<string>("email") { Description = "The member's email address" };
        var cmd = new Command("token", "Make a personal API token (Authorization: Bearer ...); printed once, alone on the last line") { email };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct);
            var users = host.Get<IUserStore>();
            var user = await users.FindUserByEmailAsync(parse.GetValue(email)!.Trim(), ct) ?? throw new ArgumentException($"no member with the email {parse.GetValue(email)}");
            var (token, hash) = ApiTokens.Create();
            await users.AddApiTokenAsync(user.Id, hash, ct);
            Console.WriteLine($"a token for @{user.Handle}; only its hash is stored, so copy it now:");
            Console.WriteLine(token);
            return 0;
        }));
        return cmd;
    }
}
