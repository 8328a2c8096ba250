using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Shake.Rdb.Checksums;
using Shake.Rdb.Format;
using Shake.Rdb.Validation;
using Shake.Rdb.Values;

namespace Shake.Rdb.Parsing;

/// <summary>
/// Incremental RDB parser: feed it whatever bytes have arrived, it consumes every complete item (header, opcode,
/// entry) and reports each to the handler, and tells how far it got. An item is parsed only once all its bytes are
/// present, so a handler never sees half a value; memory is the buffered input, bounded by the largest single item.
/// Use <see cref="RdbPipeReader"/> to drive it from a <see cref="System.IO.Pipelines.PipeReader"/>.
/// </summary>
/// <remarks>
/// A short run over a file would spend much of its time in tier-0 code before tiering catches up, so the published
/// <c>shake</c> is precompiled (ReadyToRun, composite, see the Host project); the hot methods carry no
/// AggressiveOptimization, which would exclude them from that precompilation.
/// </remarks>
/// <typeparam name="THandler">Receiver of the parsed items; a struct handler gets direct calls.</typeparam>
public sealed class RdbParser<THandler> : IDisposable, IAsyncDisposable where THandler : IRdbHandler
{
    private const int MaxSupportedRedisVersion = 13;

    private THandler _handler;
    private readonly RdbParserOptions _options;
    private readonly ScratchBuffer _scratchA = new();
    private readonly ScratchBuffer _scratchB = new();
    private readonly ScratchBuffer _scratchC = new();
    private RdbValueValidator? _validator;
    private readonly ValidationWorkers? _deferred;
    private readonly ResumableValueScanner _scanner = new();
    private ResumePoint _resume;

    private State _state = State.Header;
    private long _consumed;
    private ulong _crc;
    private int _db;
    private long _expireAtMs = -1;
    private long _idleSeconds = -1;
    private int _frequency = -1;

    /// <summary>Creates a parser that reports to <paramref name="handler"/>.</summary>
    public RdbParser(THandler handler, RdbParserOptions? options = null)
    {
        _handler = handler;
        _options = options ?? RdbParserOptions.Default;
    }

    /// <summary>
    /// A parser whose values are validated by <paramref name="validation"/>'s workers instead of before each entry is
    /// handed over: an entry reaches the handler while its value is still being checked, and a fault is reported when
    /// the caller settles the batch (<see cref="ValidationWorkers.SettleEarlier"/>). For passes that act on nothing before the
    /// whole input was found sound.
    /// </summary>
    internal RdbParser(THandler handler, RdbParserOptions options, ValidationWorkers validation)
        : this(handler, options with { ValidateValues = true })
    {
        _deferred = validation;
    }

    private enum State { Header, Body, LargeValue, Checksum, Done }

    // Where the walk of an incomplete element-wise value stopped: the next call continues there instead of at the
    // value's start. The position is reused only while the caller's buffer still starts at the same place (a pipe keeps
    // unconsumed segments as they are), else found again by offset.
    private struct ResumePoint
    {
        public bool Active;
        public long EntryAt;
        public SequencePosition BufferStart;
        public SequencePosition Position;
        public long Offset;
    }

    /// <summary>The handler (by reference, so a struct handler's state can be read after parsing).</summary>
    public ref THandler Handler => ref _handler;

    /// <summary>RDB version from the header (0 before it was read).</summary>
    public int Version { get; private set; }

    /// <summary>Magic kind from the header.</summary>
    public RdbMagicKind Magic { get; private set; }

    /// <summary>Bytes consumed so far (progress; also the absolute offset of the next item).</summary>
    public long BytesConsumed => _consumed;

    /// <summary>
    /// Upper bound of the bytes walked more than once: for every call that ended inside an item, that item's buffered
    /// bytes past the point where the next call resumes. Stays near zero however a large value is split into calls.
    /// </summary>
    public long RescannedBytes { get; private set; }

    /// <summary>True while a value larger than <see cref="RdbParserOptions.LargeValueThreshold"/> is being streamed.</summary>
    public bool InLargeValue => _state == State.LargeValue;

    /// <summary>True once the end marker and checksum were read.</summary>
    public bool IsCompleted => _state == State.Done;

    /// <summary>Description of the item the parser waits for, used in truncation errors.</summary>
    public string Expecting => _state switch
    {
        State.Header => "the 9-byte RDB header",
        State.Body => "the next opcode or entry",
        State.LargeValue => "the rest of a large value",
        State.Checksum => "the 8-byte CRC64 after the end marker",
        _ => "nothing (parsing is complete)",
    };

    /// <summary>
    /// Parses every complete item in <paramref name="buffer"/>. <paramref name="consumed"/> is where the first
    /// incomplete item starts (or the end of the RDB); <paramref name="examined"/> is how far bytes were looked at.
    /// With <paramref name="isFinalBlock"/> an incomplete item is reported as truncation.
    /// </summary>
    public RdbParseStatus Parse(in ReadOnlySequence<byte> buffer, bool isFinalBlock, out SequencePosition consumed, out SequencePosition examined)
    {
        _deferred?.Begin(buffer, _consumed);
        var c = new RdbCursor(buffer, _consumed, _options.MaxStringLength);
        var crcFrom = buffer.Start;
        var status = RdbParseStatus.NeedMoreData;
        SequencePosition? incompleteAt = null;
        while (true)
        {
            if (_state == State.Done) { status = RdbParseStatus.Completed; break; }
            var itemStart = c.Reader.Position;
            bool complete;
            bool keepGoing = true;
            switch (_state)
            {
                case State.Header:
                    complete = TryParseHeader(ref c);
                    break;
                case State.Body:
                    complete = TryParseBodyItem(ref c, buffer, ref crcFrom, out keepGoing);
                    break;
                case State.LargeValue:
                    complete = TryContinueLargeValue(ref c, out keepGoing);
                    // A large value is consumed element by element: what was read of it stays read.
                    if (!complete) itemStart = c.Reader.Position;
                    break;
                default:
                    complete = TryParseChecksum(ref c);
                    break;
            }
            if (!complete)
            {
                // Not rewinding the reader: the call ends here, and a rewind across segments re-walks from the start.
                RescannedBytes += Rescanned(buffer, itemStart);
                incompleteAt = itemStart;
                break;
            }
            if (!keepGoing) { status = RdbParseStatus.Stopped; break; }
        }
        consumed = incompleteAt ?? c.Reader.Position;
        examined = status == RdbParseStatus.NeedMoreData ? buffer.End : consumed;
        if (_options.VerifyChecksum && _state is State.Body or State.LargeValue) FoldChecksum(buffer, crcFrom, consumed);
        _consumed += buffer.Slice(buffer.Start, consumed).Length;

        if (status == RdbParseStatus.NeedMoreData && isFinalBlock)
        {
            long remaining = buffer.Slice(consumed).Length;
            throw new RdbFormatException(
                remaining == 0 ? $"RDB ends before {Expecting}" : $"RDB is truncated: {remaining} bytes remain but {Expecting} is incomplete",
                _consumed);
        }
        return status;
    }

    // Adds the bytes of the buffer from `from` to `to` to the checksum; a pass that validates on other cores has them
    // folded there.
    private void FoldChecksum(in ReadOnlySequence<byte> buffer, SequencePosition from, SequencePosition to)
    {
        if (_deferred is null)
        {
            _crc = Crc64.Update(_crc, buffer.Slice(from, to));
            return;
        }
        _deferred.AddChecksum(_consumed + buffer.Slice(buffer.Start, from).Length, buffer.Slice(from, to).Length);
    }

    private bool TryParseHeader(ref RdbCursor c)
    {
        Span<byte> header = stackalloc byte[9];
        if (!c.Reader.TryCopyTo(header)) return false;
        int version;
        if (header[..5].SequenceEqual("REDIS"u8))
        {
            version = ParseDigits(header[5..], c.Offset);
            if (version < 1 || version > MaxSupportedRedisVersion)
                throw new RdbFormatException($"unsupported RDB version {version} with REDIS magic (supported 1 to {MaxSupportedRedisVersion})", c.Offset + 5);
            Magic = RdbMagicKind.Redis;
        }
        else if (header[..6].SequenceEqual("VALKEY"u8))
        {
            version = ParseDigits(header[6..], c.Offset);
            if (version < 80 || version > 81)
                throw new RdbFormatException($"unsupported RDB version {version} with VALKEY magic (supported 80 and 81)", c.Offset + 6);
            Magic = RdbMagicKind.Valkey;
        }
        else
        {
            throw new RdbFormatException("not an RDB file: expected the magic REDIS or VALKEY", c.Offset);
        }
        c.Reader.Advance(9);
        Version = version;
        _state = State.Body;
        _handler.OnHeader(version, Magic);
        return true;
    }

    private static int ParseDigits(ReadOnlySpan<byte> digits, long offset)
    {
        int value = 0;
        foreach (byte d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
                throw new RdbFormatException("RDB header version is not a decimal number", offset);
            value = value * 10 + (d - '0');
        }
        return value;
    }

    private bool TryParseChecksum(ref RdbCursor c)
    {
        if (Version < 5)
        {
            _state = State.Done;
            _handler.OnEnd(false, false);
            return true;
        }
        long at = c.Offset;
        if (!c.Reader.TryReadLittleEndian(out long stored)) return false;
        _state = State.Done;
        if (stored == 0)
        {
            _handler.OnEnd(false, false);
            return true;
        }
        if (_deferred is not null && _options.VerifyChecksum) _crc = _deferred.Checksum();
        if (_options.VerifyChecksum && (ulong)stored != _crc)
            throw new RdbFormatException($"RDB checksum mismatch: file says 0x{(ulong)stored:x16}, content hashes to 0x{_crc:x16}", at);
        _handler.OnEnd(true, _options.VerifyChecksum);
        return true;
    }

    private bool TryParseBodyItem(ref RdbCursor c, in ReadOnlySequence<byte> buffer, ref SequencePosition crcFrom, out bool keepGoing)
    {
        keepGoing = true;
        long at = c.Offset;
        if (!c.Reader.TryRead(out byte op)) return false;
        switch (op)
        {
            case RdbOpcode.Eof:
                _state = State.Checksum;
                if (_options.VerifyChecksum)
                {
                    FoldChecksum(buffer, crcFrom, c.Reader.Position);
                    crcFrom = c.Reader.Position;
                }
                return true;
            case RdbOpcode.SelectDb:
            {
                if (!c.TryReadCountAtMost(out ulong db, int.MaxValue, "database number")) return false;
                _db = (int)db;
                _handler.OnSelectDb(_db);
                return true;
            }
            case RdbOpcode.ExpireTimeMs:
            {
                if (!c.Reader.TryReadLittleEndian(out long ms)) return false;
                _expireAtMs = ms;
                return true;
            }
            case RdbOpcode.ExpireTime:
            {
                if (!c.Reader.TryReadLittleEndian(out int seconds)) return false;
                _expireAtMs = seconds * 1000L;
                return true;
            }
            case RdbOpcode.ResizeDb:
            {
                if (!c.TryReadCount(out ulong keys, "RESIZEDB key count") || !c.TryReadCount(out ulong expires, "RESIZEDB expires count")) return false;
                _handler.OnResizeDb(keys, expires);
                return true;
            }
            case RdbOpcode.Aux:
            {
                if (!RdbStrings.TryRead(ref c, _scratchA, _scratchC, out var key)) return false;
                if (!RdbStrings.TryRead(ref c, _scratchB, _scratchC, out var value)) return false;
                _handler.OnAux(key, value);
                return true;
            }
            case RdbOpcode.Idle:
            {
                if (!c.TryReadCount(out ulong idle, "IDLE seconds")) return false;
                _idleSeconds = (long)Math.Min(idle, long.MaxValue);
                return true;
            }
            case RdbOpcode.Freq:
            {
                if (!c.Reader.TryRead(out byte freq)) return false;
                _frequency = freq;
                return true;
            }
            case RdbOpcode.ModuleAux:
            {
                if (!c.TryReadCount(out ulong moduleId, "a module id")) return false;
                var rawStart = c.Reader.Position;
                long whenAt = c.Offset;
                if (!c.TryReadCount(out ulong whenOpcode, "module AUX when opcode")) return false;
                if (whenOpcode != ModuleOpcode.UnsignedInt)
                    throw new RdbFormatException($"module AUX: expected the 'when' opcode {ModuleOpcode.UnsignedInt}, found {whenOpcode}", whenAt);
                if (!c.TryReadCount(out _, "module AUX when")) return false;
                if (!RdbValueSkipper.TrySkipModuleOpcodes(ref c, "module AUX")) return false;
                _handler.OnModuleAux(moduleId, buffer.Slice(rawStart, c.Reader.Position));
                return true;
            }
            case RdbOpcode.Function2:
            {
                if (!RdbStrings.TryRead(ref c, _scratchA, _scratchC, out var code)) return false;
                _handler.OnFunction(code);
                return true;
            }
            case RdbOpcode.FunctionPreGa:
                throw new RdbFormatException("function library format of Redis 7.0 release candidates (opcode 246) is not supported (Redis refuses it too)", at);
            case RdbOpcode.SlotInfo:
                return c.TryReadCount(out _, "SLOT_INFO slot") && c.TryReadCount(out _, "SLOT_INFO size") && c.TryReadCount(out _, "SLOT_INFO expires size");
        }
        if (op == RdbOpcode.KeyMeta)
        {
            if (Magic == RdbMagicKind.Valkey) return TrySkipValkeySlotImport(ref c);
            return TryParseEntry(ref c, buffer, op, at, out keepGoing);
        }
        if (op == RdbOpcode.ValkeyUpdate && Magic == RdbMagicKind.Valkey)
            throw new RdbFormatException("Valkey inline replication update (opcode 242, forkless save) is not supported", at);
        return TryParseEntry(ref c, buffer, op, at, out keepGoing);
    }

    private static bool TrySkipValkeySlotImport(ref RdbCursor c)
    {
        if (!c.TrySkipString()) return false;
        if (!c.TryReadCount(out ulong ranges, "slot import range count")) return false;
        for (ulong i = 0; i < ranges; i++)
        {
            if (!c.TryReadCount(out _, "slot import range start") || !c.TryReadCount(out _, "slot import range end")) return false;
        }
        return true;
    }

    // One per key: inlined so that a precompiled build does not pay a call through an indirection stub per key.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryParseEntry(ref RdbCursor c, in ReadOnlySequence<byte> buffer, byte type, long at, out bool keepGoing)
    {
        keepGoing = true;
        var metadata = ReadOnlySequence<byte>.Empty;
        if (type == RdbOpcode.KeyMeta)
        {
            // Redis RDB 13: [KEY_META count (class-spec, module opcodes...)*] type key value. The block, opcode
            // included, is kept as is: it also leads the DUMP payload of such a key.
            c.Reader.Rewind(1);
            var metaStart = c.Reader.Position;
            c.Reader.Advance(1);
            if (!c.TryReadCount(out ulong classes, "KEY_META class count")) return false;
            for (ulong i = 0; i < classes; i++)
            {
                if (!c.TrySkip(4)) return false;
                if (!RdbValueSkipper.TrySkipModuleOpcodes(ref c, "key metadata")) return false;
            }
            metadata = buffer.Slice(metaStart, c.Reader.Position);
            if (!c.Reader.TryRead(out type)) return false;
        }
        long typeAt = c.Offset - 1;
        if (!RdbTypeInfo.TryGetLogicalType(type, Magic, out var logical))
            throw RdbTypeErrors.Unsupported(type, Magic, typeAt);
        long keyOffset = c.Offset;
        if (!RdbStrings.TryRead(ref c, _scratchA, _scratchC, out var key)) return false;
        var valueStart = c.Reader.Position;
        long valueOffset = c.Offset;
        // Validation off leaves nothing to validate; a raw or integer-encoded string is bounded by its framing alone.
        bool validated = !_options.ValidateValues;
        if (_resume.Active && _resume.EntryAt == at)
        {
            if (!TryResumeValue(ref c, buffer)) return LargeValueOrWait(ref c, buffer, type, logical, key, valueStart, valueOffset, at, metadata, out keepGoing);
        }
        else if (!validated && type != RdbValueType.String && (_deferred is null || _deferred.ValidatesHere()) && TryValidateInPlace(ref c, type, key, valueOffset))
        {
            validated = true;
        }
        else
        {
            if (!validated && type == RdbValueType.String && c.Reader.TryPeek(out byte encoding)) validated = encoding != 0xC3;
            if (!RdbValueSkipper.TrySkip(ref c, type, Magic))
            {
                if (!ResumableValueScanner.IsElementWise(type, Magic))
                    return type == RdbValueType.String && LargeStringOrWait(ref c, buffer, logical, key, valueStart, valueOffset, at, metadata, out keepGoing);
                if (!TryScanResumably(ref c, buffer, type, valueStart, valueOffset, at))
                    return LargeValueOrWait(ref c, buffer, type, logical, key, valueStart, valueOffset, at, metadata, out keepGoing);
            }
        }
        var raw = buffer.Slice(valueStart, c.Reader.Position);
        if (!validated && RdbValueValidator.HasStructure(type, raw))
        {
            if (_deferred is null) Validate(type, raw, key, valueOffset);
            else _deferred.Add(type, raw, key, keyOffset, valueOffset, Magic);
        }
        var entry = new RdbEntry(_db, key, type, logical, raw, _expireAtMs, _idleSeconds, _frequency, Version, Magic, at, metadata);
        ClearKeyPrefix();
        keepGoing = _handler.OnEntry(entry);
        return true;
    }

    private void ClearKeyPrefix()
    {
        _expireAtMs = -1;
        _idleSeconds = -1;
        _frequency = -1;
    }

    /// <summary>
    /// The fast walk found the value incomplete: walks the buffered part again with the scanner, which remembers where
    /// the next call can continue. True when the value is complete after all (<paramref name="c"/> is then at its end).
    /// </summary>
    // Out of line: the hot path of small keys keeps a small frame (this one holds a second cursor).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryScanResumably(ref RdbCursor c, in ReadOnlySequence<byte> buffer, byte type, SequencePosition valueStart, long valueOffset, long at)
    {
        var from = new RdbCursor(buffer.Slice(valueStart), valueOffset, c.MaxStringLength);
        _scanner.Start(type, Magic, null);
        if (!_scanner.TryScan(ref from))
        {
            _resume = new ResumePoint { Active = true, EntryAt = at, BufferStart = buffer.Start, Position = from.Reader.Position, Offset = from.Offset };
            return false;
        }
        c = from;
        return true;
    }

    /// <summary>
    /// Continues the walk of the value whose entry this call started with, from where the last call stopped. On success
    /// <paramref name="c"/> is at the value's end; on failure the resume point has moved to the last complete element.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryResumeValue(ref RdbCursor c, in ReadOnlySequence<byte> buffer)
    {
        long skip = _resume.Offset - c.BaseOffset;
        if (skip > buffer.Length) return false;
        var position = _resume.BufferStart.Equals(buffer.Start) ? _resume.Position : buffer.GetPosition(skip);
        var from = new RdbCursor(buffer.Slice(position), _resume.Offset, c.MaxStringLength);
        bool done = _scanner.TryScan(ref from);
        if (!done)
        {
            _resume.BufferStart = buffer.Start;
            _resume.Position = from.Reader.Position;
            _resume.Offset = from.Offset;
            return false;
        }
        _resume = default;
        c = from;
        return true;
    }

    /// <summary>
    /// The value is incomplete. When what is buffered of it passed <see cref="RdbParserOptions.LargeValueThreshold"/>
    /// and it is a collection, it is streamed from here on: the handler gets its header now and its elements as they
    /// arrive, and the bytes of every element handed over are consumed. Else the call waits for more bytes (false).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool LargeValueOrWait(ref RdbCursor c, in ReadOnlySequence<byte> buffer, byte type, RdbLogicalType logical, scoped ReadOnlySpan<byte> key,
        SequencePosition valueStart, long valueOffset, long at, in ReadOnlySequence<byte> metadata, out bool keepGoing)
    {
        keepGoing = true;
        if (_resume.Offset - valueOffset <= _options.LargeValueThreshold || !ResumableValueScanner.CanStream(type, Magic)) return false;
        _resume = default;
        return StartLargeValue(ref c, buffer, type, logical, key, valueStart, valueOffset, at, metadata);
    }

    /// <summary>
    /// A string value is incomplete. When more than <see cref="RdbParserOptions.LargeValueThreshold"/> of it is
    /// buffered and its length is plain (not LZF), it is handed over in parts from here on (the handler gets
    /// <see cref="IRdbValueVisitor.OnStringPart"/> calls); else the call waits for more bytes (false).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool LargeStringOrWait(ref RdbCursor c, in ReadOnlySequence<byte> buffer, RdbLogicalType logical, scoped ReadOnlySpan<byte> key,
        SequencePosition valueStart, long valueOffset, long at, in ReadOnlySequence<byte> metadata, out bool keepGoing)
    {
        keepGoing = true;
        var value = buffer.Slice(valueStart);
        if (value.Length <= _options.LargeValueThreshold || !ResumableValueScanner.CanStreamString(value)) return false;
        return StartLargeValue(ref c, buffer, RdbValueType.String, logical, key, valueStart, valueOffset, at, metadata);
    }

    private bool StartLargeValue(ref RdbCursor c, in ReadOnlySequence<byte> buffer, byte type, RdbLogicalType logical, scoped ReadOnlySpan<byte> key,
        SequencePosition valueStart, long valueOffset, long at, in ReadOnlySequence<byte> metadata)
    {
        var header = new RdbEntry(_db, key, type, logical, ReadOnlySequence<byte>.Empty, _expireAtMs, _idleSeconds, _frequency, Version, Magic, at, metadata);
        var visitor = _handler.OnLargeEntryStart(header);
        ClearKeyPrefix();
        // The value's elements are walked again from its start, this time decoded, and consumed as they are handed over.
        c = new RdbCursor(buffer.Slice(valueStart), valueOffset, c.MaxStringLength);
        _scanner.Start(type, Magic, visitor);
        _state = State.LargeValue;
        return true;
    }

    private bool TryContinueLargeValue(ref RdbCursor c, out bool keepGoing)
    {
        keepGoing = true;
        if (!_scanner.TryScan(ref c)) return false;
        _state = State.Body;
        keepGoing = _handler.OnLargeEntryEnd();
        return true;
    }

    /// <summary>Bytes of the incomplete item at <paramref name="itemStart"/> that a later call will walk again.</summary>
    private long Rescanned(in ReadOnlySequence<byte> buffer, SequencePosition itemStart)
    {
        long itemOffset = _consumed + buffer.Slice(buffer.Start, itemStart).Length;
        long kept = _resume.Active ? _resume.Offset - itemOffset : 0;
        return Math.Max(0, buffer.Length - (itemOffset - _consumed) - kept);
    }

    // A value lying whole in the current segment (a plain collection, a quicklist, a compact encoding's blob) is
    // validated in the same walk that finds its end, with no second call chain to frame it. Anything else is framed
    // by the skipper and validated after.
    private bool TryValidateInPlace(ref RdbCursor c, byte type, scoped ReadOnlySpan<byte> key, long valueOffset)
    {
        _validator ??= new RdbValueValidator();
        int length;
        try
        {
            if (!_validator.TryValidatePrefix(type, c.Reader.UnreadSpan, c.MaxStringLength, out length)) return false;
        }
        catch (RdbFormatException e)
        {
            throw RdbValueValidator.Describe(e, key, type, Magic, valueOffset);
        }
        c.Reader.Advance(length);
        return true;
    }

    private void Validate(byte type, in ReadOnlySequence<byte> raw, ReadOnlySpan<byte> key, long valueOffset)
    {
        _validator ??= new RdbValueValidator();
        try
        {
            _validator.Validate(type, raw, Magic);
        }
        catch (RdbFormatException e)
        {
            throw RdbValueValidator.Describe(e, key, type, Magic, valueOffset);
        }
    }

    /// <summary>The same as <see cref="Dispose"/>: what it holds is released at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        _validator?.Dispose();
        _scanner.Dispose();
        _scratchA.Dispose();
        _scratchB.Dispose();
        _scratchC.Dispose();
    }
}
