using System.IO.Compression;

namespace Paperboy.Core.Import;

/// <summary>
/// A file opened for import: plain or gzip (told by its magic bytes, not its name), with the position in the
/// file on disk for progress.
/// </summary>
public sealed class SourceFile : IDisposable
{
    private readonly FileStream _file;

    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public long Length => _file.Length;
    public long Position => _file.CanSeek ? _file.Position : 0;
    public Stream Content { get; }

    private SourceFile(string path, FileStream file, Stream content)
    {
        Path = path;
        _file = file;
        Content = content;
    }

    public static SourceFile Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var magic = new byte[2];
        var n = file.Read(magic, 0, 2);
        file.Position = 0;
        Stream content = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
            ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16)
            : file;
        return new SourceFile(path, file, content);
    }

    /// <summary>The listing day a file is named for (2025-03-20.jsonl.gz), if any.</summary>
    public static DateOnly? DayFromName(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        return name.Length >= 10 && DateOnly.TryParseExact(name[..10], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d)
            ? d
            : null;
    }

    public void Dispose()
    {
        Content.Dispose();
        _file.Dispose();
    }
}
