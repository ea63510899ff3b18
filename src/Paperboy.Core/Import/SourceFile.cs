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

    private readonly CountingStream? _gzip;

    private SourceFile(string path, FileStream file, Stream content, CountingStream? gzip)
    {
        Path = path;
        _file = file;
        Content = content;
        _gzip = gzip;
    }

    /// <summary>
    /// Called at the end of the content: a gzip stream cut short simply ends early, so compare the bytes read with
    /// the size the gzip trailer records (the last 4 bytes, size mod 2^32). A file cut mid-way has no true trailer.
    /// </summary>
    public bool EndedEarly()
    {
        if (_gzip is null)
            return false;
        if (_file.Length < 18)
            return true;
        Span<byte> trailer = stackalloc byte[4];
        RandomAccess.Read(_file.SafeFileHandle, trailer, _file.Length - 4);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer) != (uint)_gzip.BytesRead;
    }

    public static SourceFile Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var magic = new byte[2];
        var n = file.Read(magic, 0, 2);
        file.Position = 0;
        if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            var gzip = new CountingStream(new GZipStream(file, CompressionMode.Decompress));
            return new SourceFile(path, file, new BufferedStream(gzip, 1 << 16), gzip);
        }
        return new SourceFile(path, file, file, null);
    }

    /// <summary>The listing day a file is named for (2025-03-20.jsonl.gz), if any.</summary>
    public static DateOnly? DayFromName(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        return name.Length >= 10 && Papers.Days.TryParse(name[..10], out var d)
            ? d
            : null;
    }

    public void Dispose()
    {
        Content.Dispose();
        _file.Dispose();
    }
}

/// <summary>Counts the bytes read through it.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        BytesRead += n;
        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        BytesRead += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
