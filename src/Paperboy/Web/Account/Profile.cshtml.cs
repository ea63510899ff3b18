using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;

namespace Paperboy.Web.Account;

/// <summary><c>/users/{handle}</c>: what a member submitted and wrote, their public collections, and their upvotes when they make them public.</summary>
public sealed class ProfileModel(IAccountStore accounts, IDailyStore daily, ICommentStore comments, IVoteStore votes, Core.Library.ILibraryStore library, Members members) : PageModel
{
    [FromRoute] public string Handle { get; set; } = "";

    public User? Member { get; private set; }
    public IReadOnlyList<PaperRecord> Submitted { get; private set; } = [];
    public IReadOnlyList<(Comment Comment, string PaperTitle)> Comments { get; private set; } = [];
    public IReadOnlyList<PaperRecord>? Upvoted { get; private set; }
    /// <summary>The member's public collections (their private ones too when it is their own profile).</summary>
    public IReadOnlyList<Core.Library.Collection> Collections { get; private set; } = [];
    public bool IsSelf { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Member = Handle.Length is >= 2 and <= 32 ? await accounts.FindUserByHandleAsync(Handle, ct) : null;
        if (Member is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            ViewData["Title"] = "Not found";
            return Page();
        }
        ViewData["Title"] = Member.Name;
        IsSelf = (await members.CurrentAsync(HttpContext))?.Id == Member.Id;
        Submitted = await daily.GetSubmittedByAsync(Member.Id, 50, ct);
        // A banned member's comments are hidden everywhere, their profile included.
        Comments = Member.IsBanned ? [] : await comments.ListByUserAsync(Member.Id, 50, ct);
        if (Member.VotesPublic)
            ViewData["Feeds"] = new List<Feeds.FeedsApi.FeedLink> { new($"upvoted by {Member.Handle}", $"users/{Member.Handle}/upvotes") };
        if (Member.VotesPublic || IsSelf)
            Upvoted = await votes.GetUpvotedAsync(Member.Id, 50, ct);
        Collections = await library.GetCollectionsAsync(Member.Id, publicOnly: !IsSelf, ct);
        return Page();
    }
}
