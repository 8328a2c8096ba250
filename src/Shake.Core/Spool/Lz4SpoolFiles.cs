using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace Shake.Core.Spool;

/// <summary>
/// Spool storage that LZ4-compresses what it appends: data is cut into blocks of up to <see cref="BlockSize"/> bytes,
/// each written as one record (an 8-byte header with the raw and stored lengths, then the LZ4 block, or the raw bytes
/// when LZ4 would not shrink them). Blocks are independent, so each file decodes on its own and is deleted once read;
/// memory is one block buffer and one encoded buffer per side, whatever the spool holds.
/// </summary>
internal sealed class Lz4SpoolFiles : ISpoolStorage
{
    /// <summary>Largest raw block; a larger append is cut into several blocks.</summary>
    public const int BlockSize = 64 * 1024;

    private const int HeaderSize = 8;
    private static readonly int MaxEncodedSize = LZ4Codec.MaximumOutputSize(BlockSize);

    private readonly SpoolFiles _files;
    // Plain arrays rather than pooled ones: the appender may still be inside Append when the spool is disposed, and a
    // buffer returned to the shared pool then would be written to while someone else holds it.
    private readonly byte[] _encodeBuffer = new byte[HeaderSize + MaxEncodedSize];
    private readonly byte[] _storedBuffer = new byte[MaxEncodedSize];
    private readonly byte[] _decoded = new byte[BlockSize];
    private readonly byte[] _staging = new byte[BlockSize];
    private int _decodedStart;
    private int _decodedEnd;

    public Lz4SpoolFiles(string directory, long fileSize)
    {
        _files = new SpoolFiles(directory, fileSize);
    }

    /// <inheritdoc />
    public (long Index, long Length) WriteCursor => _files.WriteCursor;

    /// <inheritdoc />
    public long Append(in ReadOnlySequence<byte> data)
    {
        // Socket reads arrive as a sequence of buffers; gathering them into full blocks compresses better than one
        // block per buffer.
        long stored = 0;
        var reader = new SequenceReader<byte>(data);
        while (!reader.End)
        {
            var take = (int)Math.Min(BlockSize, reader.Remaining);
            if (reader.UnreadSpan.Length >= take)
            {
                stored += AppendBlock(reader.UnreadSpan[..take]);
            }
            else
            {
                reader.TryCopyTo(_staging.AsSpan(0, take));
                stored += AppendBlock(_staging.AsSpan(0, take));
            }
            reader.Advance(take);
        }
        return stored;
    }

    private long AppendBlock(ReadOnlySpan<byte> block)
    {
        var record = _encodeBuffer.AsSpan();
        var encoded = LZ4Codec.Encode(block, record[HeaderSize..], LZ4Level.L00_FAST);
        if (encoded <= 0 || encoded >= block.Length)
        {
            // Incompressible (already compressed values, random bytes): stored as they are.
            block.CopyTo(record[HeaderSize..]);
            encoded = block.Length;
        }
        BinaryPrimitives.WriteInt32LittleEndian(record, block.Length);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], encoded);
        return _files.Append(record[..(HeaderSize + encoded)]);
    }

    /// <inheritdoc />
    public int Read(Span<byte> destination, (long Index, long Length) readable, out long storedBytes)
    {
        storedBytes = 0;
        if (_decodedStart == _decodedEnd)
        {
            if (!ReadBlock(readable, out storedBytes)) return 0;
        }
        var count = Math.Min(destination.Length, _decodedEnd - _decodedStart);
        _decoded.AsSpan(_decodedStart, count).CopyTo(destination);
        _decodedStart += count;
        return count;
    }

    private bool ReadBlock((long Index, long Length) readable, out long storedBytes)
    {
        storedBytes = 0;
        Span<byte> header = stackalloc byte[HeaderSize];
        if (!_files.ReadRecordPart(header, readable, atRecordStart: true)) return false;
        var rawLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        var storedLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        if (rawLength is <= 0 or > BlockSize || storedLength <= 0 || storedLength > rawLength)
            throw new IOException($"spool block header is corrupt (raw {rawLength}, stored {storedLength} bytes)");
        var stored = _storedBuffer.AsSpan(0, storedLength);
        _files.ReadRecordPart(stored, readable, atRecordStart: false);
        if (storedLength == rawLength)
        {
            stored.CopyTo(_decoded);
        }
        else if (LZ4Codec.Decode(stored, _decoded.AsSpan(0, rawLength)) != rawLength)
        {
            throw new IOException($"spool block does not decode to its {rawLength} bytes");
        }
        _decodedStart = 0;
        _decodedEnd = rawLength;
        storedBytes = HeaderSize + storedLength;
        return true;
    }

    public void Dispose() => _files.Dispose();
}
