using System.Buffers;
using System.Text;
using Shake.Resp.Protocol;

namespace Shake.Core.Writers;

/// <summary>
/// String keys without TTL collected into one <c>MSET</c> (or <c>MSETNX</c>) request, encoded as they are added into a
/// pooled buffer that <see cref="Take"/> hands on with the request: the target parses one command for many keys.
/// A batch holds keys of one source and one target database only; the writer takes it when either changes, before
/// any request that is not part of it, when it <see cref="IsFull"/>, and at every flush (the end of each parse buffer).
/// </summary>
/// <remarks>Not thread-safe: one per writer, or one per cluster slot.</remarks>
public sealed class StringBatch
{
    // Room for "*<count>\r\n$6\r\nMSETNX\r\n", written in front of the pairs once their number is known.
    private const int HeadRoom = 32;

    private readonly int _maxKeys;
    private readonly int _maxBytes;
    // Buffers come back from the thread reading replies: a pool of its own recycles them all, where the shared pool
    // keeps only a few per core and the rest would become garbage.
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;
    private int _end;

    /// <summary>
    /// Creates an empty batch taken at <paramref name="maxKeys"/> keys or about <paramref name="maxBytes"/> bytes; up to
    /// <paramref name="buffersKept"/> returned buffers (about one per request in flight) are kept for reuse.
    /// </summary>
    public StringBatch(int maxKeys = 100, int maxBytes = 16 * 1024, int buffersKept = 1024)
        : this(ArrayPool<byte>.Create(4 * maxBytes, buffersKept), maxKeys, maxBytes)
    {
    }

    /// <summary>
    /// Creates an empty batch whose buffers come from <paramref name="pool"/>, which several batches may share (one
    /// batch per cluster slot: <c>ArrayPool&lt;byte&gt;.Create(4 * maxBytes, requests in flight)</c> for all of them).
    /// </summary>
    public StringBatch(ArrayPool<byte> pool, int maxKeys = 100, int maxBytes = 16 * 1024)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        _maxKeys = maxKeys;
        _maxBytes = maxBytes;
        _pool = pool;
    }

    /// <summary>Gives back the buffer of a taken request once its reply is handled (any thread).</summary>
    public void Return(byte[] buffer) => _pool.Return(buffer);

    /// <summary>Keys in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Target database of the keys (valid while <see cref="Count"/> &gt; 0).</summary>
    public int TargetDb { get; private set; }

    /// <summary>Source database of the keys (valid while <see cref="Count"/> &gt; 0).</summary>
    public int SourceDb { get; private set; }

    /// <summary>True when the batch should be taken now.</summary>
    public bool IsFull => Count >= _maxKeys || _end - HeadRoom >= _maxBytes;

    /// <summary>True when a key of these databases may join the batch (it is empty, or holds keys of the same ones).</summary>
    public bool Accepts(int targetDb, int sourceDb) => Count == 0 || (targetDb == TargetDb && sourceDb == SourceDb);

    /// <summary>Adds a key and its value (both copied); the caller checked <see cref="Accepts"/>.</summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int targetDb, int sourceDb)
    {
        if (!Accepts(targetDb, sourceDb)) throw new InvalidOperationException("a batch holds keys of one database pair; take it first");
        var needed = (int)(RespCommandWriter.BulkSize(key.Length) + RespCommandWriter.BulkSize(value.Length));
        if (_buffer is null)
        {
            // Small at first: a batch cut short by a collection holds a few keys, and up to a window's worth of batches
            // wait for their replies.
            _buffer = _pool.Rent(Math.Max(HeadRoom + needed, 1024));
            _end = HeadRoom;
        }
        else if (_end + needed > _buffer.Length)
        {
            var larger = _pool.Rent(Math.Max(_buffer.Length * 2, _end + needed));
            _buffer.AsSpan(0, _end).CopyTo(larger);
            _pool.Return(_buffer);
            _buffer = larger;
        }
        var span = _buffer.AsSpan(_end);
        var at = RespCommandWriter.FormatBulk(span, key);
        at += RespCommandWriter.FormatBulk(span[at..], value);
        _end += at;
        if (Count == 0)
        {
            TargetDb = targetDb;
            SourceDb = sourceDb;
        }
        Count++;
    }

    /// <summary>
    /// Hands the batch on as one encoded <c>MSET</c> (or <c>MSETNX</c> when <paramref name="nx"/>) and empties it. The
    /// request owns a buffer of this batch's pool, to be given back with <see cref="Return"/> once its reply is handled.
    /// </summary>
    public StringBatchRequest Take(bool nx)
    {
        if (Count == 0 || _buffer is null) throw new InvalidOperationException("the batch is empty");
        Span<byte> head = stackalloc byte[HeadRoom];
        head[0] = (byte)'*';
        var digits = RespCommandWriter.DecimalLength((ulong)(1 + 2 * Count));
        RespCommandWriter.FormatDecimal(head.Slice(1, digits), (ulong)(1 + 2 * Count));
        var at = 1 + digits;
        head[at++] = (byte)'\r';
        head[at++] = (byte)'\n';
        at += RespCommandWriter.FormatBulk(head[at..], nx ? "MSETNX"u8 : "MSET"u8);
        var offset = HeadRoom - at;
        head[..at].CopyTo(_buffer.AsSpan(offset));
        var request = new StringBatchRequest(_buffer, offset, _end - offset, Count, TargetDb, SourceDb);
        _buffer = null;
        _end = 0;
        Count = 0;
        return request;
    }

    /// <summary>Returns the buffer of keys not taken (the writer is closing).</summary>
    public void Discard()
    {
        if (_buffer is not null) _pool.Return(_buffer);
        _buffer = null;
        _end = 0;
        Count = 0;
    }

    /// <summary>
    /// The keys of an encoded batch request, for messages (cold path): up to <paramref name="max"/> keys formatted
    /// with <see cref="KeyText.Format"/>, then how many more.
    /// </summary>
    public static string DescribeKeys(ReadOnlySpan<byte> encoded, int max = 5)
    {
        var keys = new StringBuilder();
        var shown = 0;
        var total = 0;
        // Arguments: the command name, then key/value pairs.
        var rest = SkipLine(encoded);
        rest = SkipBulk(rest, out _);
        while (!rest.IsEmpty)
        {
            rest = SkipBulk(rest, out var key);
            rest = SkipBulk(rest, out _);
            total++;
            if (shown >= max) continue;
            if (shown > 0) keys.Append(", ");
            keys.Append(KeyText.Format(key));
            shown++;
        }
        if (total > shown) keys.Append(" and ").Append(total - shown).Append(" more");
        return keys.ToString();
    }

    private static ReadOnlySpan<byte> SkipLine(ReadOnlySpan<byte> span)
    {
        var end = span.IndexOf("\r\n"u8);
        return end < 0 ? default : span[(end + 2)..];
    }

    private static ReadOnlySpan<byte> SkipBulk(ReadOnlySpan<byte> span, out ReadOnlySpan<byte> value)
    {
        value = default;
        var end = span.IndexOf("\r\n"u8);
        if (end < 2 || span[0] != (byte)'$' || !int.TryParse(span[1..end], out var length) || span.Length < end + 2 + length + 2) return default;
        value = span.Slice(end + 2, length);
        return span[(end + 4 + length)..];
    }
}

/// <summary>
/// A taken <see cref="StringBatch"/>: the encoded request at <see cref="Offset"/> of <see cref="Buffer"/> (give it
/// back with <see cref="StringBatch.Return"/> once the reply is handled), how many keys it writes, and their databases.
/// </summary>
public readonly record struct StringBatchRequest(byte[] Buffer, int Offset, int Length, int Count, int TargetDb, int SourceDb)
{
    /// <summary>The encoded command.</summary>
    public ReadOnlySpan<byte> Encoded => Buffer.AsSpan(Offset, Length);
}
