using System.Buffers;
using System.Globalization;
using System.Text;

namespace Shake.Core.Replication;

/// <summary>
/// Watches the raw bytes after <c>+FULLRESYNC</c> as they arrive (before any parsing) to tell when the whole RDB has
/// been received: after <c>$len</c> bytes, or when the received bytes end with the diskless end mark. A diskless
/// source sends the buffered command stream only after the replica's first ACK, so the engine must ACK as soon as
/// the snapshot is in, not once it is applied.
/// </summary>
public sealed class TransferEndWatcher
{
    private readonly StringBuilder _header = new();
    private readonly byte[] _tail = new byte[RdbTransfer.MarkLength];
    private int _tailLength;
    private bool _headerDone;
    private long _remaining = -1;
    private byte[]? _mark;

    /// <summary>True once every byte of the RDB was seen.</summary>
    public bool Completed { get; private set; }

    /// <summary>Feeds the next received bytes; returns true when this call completed the transfer.</summary>
    public bool Observe(in ReadOnlySequence<byte> data)
    {
        if (Completed) return false;
        var reader = new SequenceReader<byte>(data);
        if (!_headerDone)
        {
            while (reader.TryRead(out var b))
            {
                if (b == '\n' && _header.Length == 0) continue; // keep-alive
                if (b == '\n')
                {
                    var line = _header.ToString().TrimEnd('\r');
                    _headerDone = true;
                    if (line.StartsWith("$EOF:", StringComparison.Ordinal)) _mark = Encoding.ASCII.GetBytes(line[5..]);
                    else if (!long.TryParse(line.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out _remaining)) _remaining = -1;
                    break;
                }
                if (_header.Length > 128) { _headerDone = true; return false; } // not ours to judge; the consumer reports it
                _header.Append((char)b);
            }
            if (!_headerDone) return false;
        }
        var rest = data.Slice(reader.Position);
        if (_mark is null)
        {
            if (_remaining < 0) return false;
            _remaining -= Math.Min(_remaining, rest.Length);
            Completed = _remaining == 0;
            return Completed;
        }
        KeepTail(rest);
        Completed = _tailLength == _tail.Length && _tail.AsSpan().SequenceEqual(_mark);
        return Completed;
    }

    private void KeepTail(in ReadOnlySequence<byte> rest)
    {
        if (rest.Length >= _tail.Length)
        {
            rest.Slice(rest.Length - _tail.Length).CopyTo(_tail);
            _tailLength = _tail.Length;
            return;
        }
        var keep = (int)Math.Min(_tailLength, _tail.Length - rest.Length);
        _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
        rest.CopyTo(_tail.AsSpan(keep));
        _tailLength = keep + (int)rest.Length;
    }
}
