using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Library;
using Paperboy.Web.Account;
using Paperboy.Web.Community;

namespace Paperboy.Web.Library;

/// <summary>
/// <c>/library/import</c>: a BibTeX file seeds the library. The size is checked before anything of the body is read
/// (a 20 MB upload is answered 413 at once), and the antiforgery token is checked by hand after that: the automatic
/// check would read, and buffer, the whole form first. Nothing here binds from the form before those two checks
/// (a handler parameter, even a CancellationToken, makes MVC read the form to bind it).
/// </summary>
[Authorize]
[IgnoreAntiforgeryToken]
public sealed class ImportModel(LibraryUploads uploads, LibraryImporter importer, IAntiforgery antiforgery, Members members, AbuseLimits limits, TimeProvider clock) : PageModel
{
    public ApiImportReport? Report { get; private set; }
    public string? FileName { get; private set; }
    public string? Tag { get; private set; }
    public string? Problem { get; private set; }
    public int MaxMegabytes => uploads.MaxBytes / (1024 * 1024);

    public void OnGet() => ViewData["Title"] = "Import a BibTeX file";

    // No parameters and no bound properties: binding would build a form value provider, which reads the whole form.
    public async Task<IActionResult> OnPostAsync()
    {
        var ct = HttpContext.RequestAborted;
        ViewData["Title"] = "Import a BibTeX file";
        if (uploads.TooLarge(Request))
            return Fail(413, uploads.TooLargeMessage(Request.ContentLength));
        uploads.LimitForm(HttpContext);
        try
        {
            await antiforgery.ValidateRequestAsync(HttpContext);
        }
        catch (AntiforgeryValidationException)
        {
            return Fail(400, "This form has expired or did not come from this site. Open the library again and choose the file once more.");
        }
        catch (InvalidDataException)
        {
            return Fail(413, uploads.TooLargeMessage(Request.ContentLength));
        }
        var member = (await members.CurrentAsync(HttpContext))!;
        if (!limits.TryAcquire(AbuseLimits.Import, "member:" + member.Id, out var wait))
        {
            AbuseLimits.SetRetryAfter(Response, wait);
            return Fail(429, $"You have imported many files in the last hour. Please wait {Display.Duration(wait)}.");
        }
        var upload = await uploads.ReadAsync(HttpContext, null, ct);
        FileName = upload.FileName;
        if (upload.Problem is not null)
            return Fail(upload.Status, upload.Problem);
        IReadOnlyList<string> tags = [];
        Tag = string.IsNullOrWhiteSpace(upload.Tag) ? null : upload.Tag.Trim();
        if (Tag is not null && !LibraryTags.TryParseList(Tag, out tags, out var problem))
            return Fail(400, "Tag: " + problem);
        Report = ApiImportReport.From(await importer.ImportAsync(member.Id, upload.Text!, tags, clock.GetUtcNow(), ct));
        return Page();
    }

    private PageResult Fail(int status, string message)
    {
        Response.StatusCode = status;
        Problem = message;
        return Page();
    }
}
