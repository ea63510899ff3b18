using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace Paperboy.Core.Search.Vectors;

/// <summary>
/// The parts of USearch's C API that the managed binding (2.26) does not expose: the search breadth of an index that
/// is viewed from a file (a viewed index otherwise searches with the library default, whatever it was built with),
/// adding from several threads, and the number of searches that may run at once. The binding's handle is private, so it is read once by reflection; a binding
/// without it fails loudly at the first use rather than silently searching with other settings.
/// </summary>
internal static partial class UsearchNative
{
    private const string Library = "libusearch_c";

    private static readonly FieldInfo HandleField =
        typeof(USearchIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("Cloud.Unum.USearch has changed: USearchIndex._index is gone; update UsearchNative.");

    public static IntPtr Handle(USearchIndex index) => (IntPtr)HandleField.GetValue(index)!;

    public static void SetExpansionSearch(USearchIndex index, int expansion)
    {
        usearch_change_expansion_search(Handle(index), (nuint)expansion, out var error);
        Check(error);
    }

    public static int ExpansionSearch(USearchIndex index)
    {
        var expansion = usearch_expansion_search(Handle(index), out var error);
        Check(error);
        return (int)expansion;
    }

    /// <summary>Room for <paramref name="capacity"/> vectors added by up to <paramref name="threads"/> threads at once.</summary>
    public static void Reserve(USearchIndex index, int capacity, int threads)
    {
        usearch_reserve(Handle(index), (nuint)capacity, out var error);
        Check(error);
        usearch_change_threads_add(Handle(index), (nuint)threads, out error);
        Check(error);
    }

    /// <summary>Search contexts for up to <paramref name="threads"/> searches at once (built or viewed graphs alike).</summary>
    public static void ReserveSearchThreads(USearchIndex index, int threads)
    {
        usearch_change_threads_search(Handle(index), (nuint)threads, out var error);
        Check(error);
    }

    /// <summary>Adds one vector; safe to call from several threads once <see cref="Reserve"/> made room.</summary>
    public static unsafe void Add(IntPtr handle, ulong key, ReadOnlySpan<float> vector)
    {
        IntPtr error;
        fixed (float* p = vector)
            usearch_add(handle, key, (IntPtr)p, ScalarKind.Float32, out error);
        Check(error);
    }

    private static void Check(IntPtr error)
    {
        if (error != IntPtr.Zero)
            throw new InvalidOperationException("USearch: " + Marshal.PtrToStringAnsi(error));
    }

    [LibraryImport(Library)]
    private static partial void usearch_change_expansion_search(IntPtr index, nuint expansion, out IntPtr error);

    [LibraryImport(Library)]
    private static partial nuint usearch_expansion_search(IntPtr index, out IntPtr error);

    [LibraryImport(Library)]
    private static partial void usearch_change_threads_add(IntPtr index, nuint threads, out IntPtr error);

    [LibraryImport(Library)]
    private static partial void usearch_change_threads_search(IntPtr index, nuint threads, out IntPtr error);

    [LibraryImport(Library)]
    private static partial void usearch_reserve(IntPtr index, nuint capacity, out IntPtr error);

    [LibraryImport(Library)]
    private static partial void usearch_add(IntPtr index, ulong key, IntPtr vector, ScalarKind kind, out IntPtr error);
}
