using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Paperboy.Core.Library;
using Paperboy.Hosting;

namespace Paperboy.Web.Library;

/// <summary>An uploaded .bib file: its text, the tag to give its papers, or why it was refused (status and sentence).</summary>
public sealed record Upload(string? Text, string? FileName, string? Tag, int Status = 200, string? Problem = null);

/// <summary>
/// Reading a BibTeX upload, a multipart form's <c>file</c> or a raw body, without taking more than
/// <c>Community:ImportMaxBytes</c>: a request that says it is larger is refused before anything is read (413), and
/// one that does not say (chunked) is cut off at the limit. The form and the API share it.
/// </summary>
public sealed class LibraryUploads(IOptions<CommunityOptions> options)
{
    /// <summary>What a multipart form adds around the file: boundaries, headers, the token and the tag.</summary>
    private const int FormOverhead = 64 * 1024;

    public int MaxBytes => options.Value.ImportMaxBytes;

    /// <summary>The request says it is larger than any file we take (checked before the body is touched).</summary>
    public bool TooLarge(HttpRequest request) => request.ContentLength > MaxBytes + FormOverhead;

    public string TooLargeMessage(long? bytes) =>
        $"{(bytes is { } b ? $"That upload is {Megabytes(b)}" : "That upload is too large")}; an import takes a BibTeX file of at most {Megabytes(MaxBytes)}. Split the file and import the parts one by one.";

    private static string Megabytes(long bytes) => (bytes / (1024.0 * 1024)).ToString(bytes < 10 * 1024 * 1024 ? "0.#" : "0", System.Globalization.CultureInfo.InvariantCulture) + " MB";

    /// <summary>
    /// Puts a form reader with our limits on the request (once), so that whoever reads the form first (antiforgery
    /// included) stops at the limit instead of buffering what a client sends.
    /// </summary>
    public void LimitForm(HttpContext http)
    {
        if (http.Features.Get<IFormFeature>() is LimitedForm)
            return;
        http.Features.Set<IFormFeature>(new LimitedForm(http.Request, new FormOptions
        {
            MultipartBodyLengthLimit = MaxBytes + FormOverhead,
            BufferBodyLengthLimit = MaxBytes + FormOverhead,
            ValueLengthLimit = 4096,
            ValueCountLimit = 16,
        }));
    }

    private sealed class LimitedForm(HttpRequest request, FormOptions options) : FormFeature(request, options);

    public async Task<Upload> ReadAsync(HttpContext http, string? tagFromQuery, CancellationToken ct)
    {
        var request = http.Request;
        if (TooLarge(request))
            return new(null, null, null, 413, TooLargeMessage(request.ContentLength));
        try
        {
            if (request.HasFormContentType)
            {
                LimitForm(http);
                var form = await request.ReadFormAsync(ct);
                var file = form.Files.GetFile("file") ?? (form.Files.Count > 0 ? form.Files[0] : null);
                var tag = form.TryGetValue("tag", out var t) && !string.IsNullOrWhiteSpace(t) ? t.ToString() : tagFromQuery;
                if (file is null || file.Length == 0)
                    return new(null, null, tag, 400, "file: choose a BibTeX (.bib) file to import");
                if (file.Length > MaxBytes)
                    return new(null, file.FileName, tag, 413, TooLargeMessage(file.Length));
                await using var stream = file.OpenReadStream();
                var bytes = await ReadLimitedAsync(stream, ct);
                return bytes is null ? new(null, file.FileName, tag, 413, TooLargeMessage(null)) : new(LibraryImporter.Decode(bytes), file.FileName, tag);
            }
            var raw = await ReadLimitedAsync(request.Body, ct);
            if (raw is null)
                return new(null, null, tagFromQuery, 413, TooLargeMessage(null));
            return raw.Length == 0
                ? new(null, null, tagFromQuery, 400, "body: send the BibTeX file as the body (Content-Type: application/x-bibtex) or as the field 'file' of a multipart form")
                : new(LibraryImporter.Decode(raw), null, tagFromQuery);
        }
        catch (InvalidDataException)
        {
            return new(null, null, null, 413, TooLargeMessage(request.ContentLength));
        }
    }

    /// <summary>The stream's bytes, or null past the limit (reading stops there).</summary>
    private async Task<byte[]?> ReadLimitedAsync(Stream stream, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxBytes)
                return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}
