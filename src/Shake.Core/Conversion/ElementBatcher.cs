using Shake.Core.Writers;

namespace Shake.Core.Conversion;

/// <summary>
/// Packs the elements of one collection into as few <c>NAME key e1 e2 ...</c> commands as fit a byte budget
/// (RPUSH, SADD, ZADD, HSET). A group of arguments (field and value, score and member) never straddles two commands;
/// a command always gets at least one group, so a single element larger than the budget still goes out alone.
/// </summary>
internal sealed class ElementBatcher : IDisposable
{
    private readonly CommandBuilder _builder = new();
    private byte[] _name = [];
    private byte[] _key = [];
    private int _keyLength;
    private IEntryCommandSink? _sink;
    private long _budget;

    /// <summary>Commands written since <see cref="Begin"/>.</summary>
    public int CommandsWritten { get; private set; }

    /// <summary>Starts batching <paramref name="name"/> commands on <paramref name="key"/> (the array must stay unchanged until <see cref="Flush"/>).</summary>
    public void Begin(byte[] name, byte[] key, int keyLength, IEntryCommandSink sink, long budget)
    {
        _builder.Clear();
        _name = name;
        _key = key;
        _keyLength = keyLength;
        _sink = sink;
        _budget = budget;
        CommandsWritten = 0;
    }

    public void Add(ReadOnlySpan<byte> element)
    {
        Reserve(CommandBuilder.EncodedSize(element.Length));
        _builder.Add(element);
    }

    public void Add(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        Reserve(CommandBuilder.EncodedSize(first.Length) + CommandBuilder.EncodedSize(second.Length));
        _builder.Add(first);
        _builder.Add(second);
    }

    /// <summary>Adds a score (as its exact shortest text) and a member.</summary>
    public void AddScored(double score, ReadOnlySpan<byte> member)
    {
        Span<byte> text = stackalloc byte[ScoreText.MaxLength];
        var length = ScoreText.Format(score, text);
        Add(text[..length], member);
    }

    /// <summary>Writes the command being filled, if it has any element.</summary>
    public void Flush()
    {
        if (_builder.Count > 2)
        {
            _sink!.Write(_builder.Build());
            CommandsWritten++;
        }
        else
        {
            _builder.Clear();
        }
    }

    /// <summary>Drops the command being filled (the entry is abandoned).</summary>
    public void Discard() => _builder.Clear();

    private void Reserve(int groupSize)
    {
        if (_builder.Count > 2 && _builder.Length + groupSize > _budget) Flush();
        if (_builder.Count == 0)
        {
            _builder.Add(_name);
            _builder.Add(_key.AsSpan(0, _keyLength));
        }
    }

    public void Dispose() => _builder.Dispose();
}
