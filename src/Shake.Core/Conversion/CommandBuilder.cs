using System.Buffers;
using System.Buffers.Text;
using Shake.Resp.Protocol;

namespace Shake.Core.Conversion;

/// <summary>
/// Encodes the arguments of one command into a pooled buffer, then hands the buffer over to an <see cref="OwnedCommand"/>
/// (so the command stays valid whatever the caller reuses afterwards). Not thread-safe.
/// </summary>
internal sealed class CommandBuilder : IDisposable
{
    private const int InitialSize = 4096;
    private byte[]? _buffer;
    private int _length;

    /// <summary>Arguments added since the last <see cref="Build"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Encoded bytes added since the last <see cref="Build"/>.</summary>
    public int Length => _length;

    /// <summary>Bytes one argument of <paramref name="length"/> bytes takes: <c>$len\r\n</c>, the bytes, <c>\r\n</c>.</summary>
    public static int EncodedSize(int length) => 1 + RespCommandWriter.DecimalLength((ulong)length) + 2 + length + 2;

    public void Add(ReadOnlySpan<byte> argument)
    {
        var span = Reserve(EncodedSize(argument.Length));
        span[0] = (byte)'$';
        Utf8Formatter.TryFormat(argument.Length, span[1..], out var digits);
        var n = 1 + digits;
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        argument.CopyTo(span[n..]);
        n += argument.Length;
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        _length += n;
        Count++;
    }

    public void Add(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        Add(digits[..length]);
    }

    public void Add(ulong value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        Add(digits[..length]);
    }

    public void Add(string ascii)
    {
        Span<byte> bytes = stackalloc byte[ascii.Length];
        for (var i = 0; i < ascii.Length; i++) bytes[i] = (byte)ascii[i];
        Add(bytes);
    }

    /// <summary>Takes the arguments added so far as one command and starts an empty one.</summary>
    public OwnedCommand Build()
    {
        var command = new OwnedCommand(_buffer ?? ArrayPool<byte>.Shared.Rent(1), _length, Count);
        _buffer = null;
        _length = 0;
        Count = 0;
        return command;
    }

    /// <summary>Forgets the arguments added since the last <see cref="Build"/>.</summary>
    public void Clear()
    {
        _length = 0;
        Count = 0;
    }

    private Span<byte> Reserve(int size)
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(InitialSize, size));
        }
        else if (_buffer.Length - _length < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        return _buffer.AsSpan(_length, size);
    }

    public void Dispose()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _length = 0;
        Count = 0;
    }
}
