using System.Buffers;
using Shake.Rdb.Format;

namespace Shake.Rdb.Parsing;

/// <summary>
/// Receives what <see cref="RdbParser{THandler}"/> finds, in file order. Implement it on a struct or sealed class:
/// the parser is generic over the handler, so calls are direct. Spans and sequences are valid only during the call.
/// Every callback but <see cref="OnEntry"/> does nothing unless implemented. A struct handler should still implement
/// them all: reaching a default body needs a boxed <c>this</c>, and the ReadyToRun compiler then leaves the parser
/// methods that make the call to the JIT at run time.
/// </summary>
public interface IRdbHandler
{
    /// <summary>The header was read: RDB version and which project's magic the file carries.</summary>
    void OnHeader(int version, RdbMagicKind magic) { }

    /// <summary>An AUX field, e.g. <c>redis-ver</c>, <c>ctime</c>, or <c>lua</c> (a script body saved by old servers).</summary>
    void OnAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) { }

    /// <summary>Following entries belong to database <paramref name="db"/>.</summary>
    void OnSelectDb(int db) { }

    /// <summary>Size hints of the current database.</summary>
    void OnResizeDb(ulong keys, ulong expires) { }

    /// <summary>A function library (FUNCTION2): its full code, as <c>FUNCTION LOAD</c> takes it.</summary>
    void OnFunction(ReadOnlySpan<byte> code) { }

    /// <summary>Module auxiliary data: the module type id and the raw bytes after it (when, opcodes, EOF).</summary>
    void OnModuleAux(ulong moduleId, in ReadOnlySequence<byte> raw) { }

    /// <summary>One key. Return false to stop parsing after this entry.</summary>
    bool OnEntry(in RdbEntry entry);

    /// <summary>
    /// A collection larger than <see cref="RdbParserOptions.LargeValueThreshold"/> starts: <paramref name="entry"/> has
    /// everything but the value (<see cref="RdbEntry.RawValue"/> is empty). Return the visitor that receives its
    /// elements, each once, as their bytes arrive (spans valid during the call; a visitor must not throw), or null to
    /// have the value skipped. <see cref="OnLargeEntryEnd"/> follows the last element. Only called when the option is set.
    /// </summary>
    Values.IRdbValueVisitor? OnLargeEntryStart(in RdbEntry entry) => null;

    /// <summary>The large value begun by <see cref="OnLargeEntryStart"/> ended. Return false to stop parsing after it.</summary>
    bool OnLargeEntryEnd() => true;

    /// <summary>The end marker was read; <paramref name="checksumPresent"/> is false for RDB &lt; 5 or a zero checksum.</summary>
    void OnEnd(bool checksumPresent, bool checksumVerified) { }
}
