// Prints the 10 keys of an RDB file whose serialized value (the DUMP payload RESTORE takes) is largest.
// Usage: RdbTopKeys <dump.rdb | ->   (- reads standard input)
using System.Text;
using Shake.Rdb.Dump;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: RdbTopKeys <dump.rdb | ->");
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
using var parser = new RdbParser<LargestKeys>(new LargestKeys(10));
try
{
    await RdbPipeReader.ParseFileAsync(args[0], parser, cancel.Token);
}
catch (Exception e) when (e is IOException or Shake.Rdb.RdbFormatException)
{
    Console.Error.WriteLine($"RdbTopKeys: {e.Message}");
    return 1;
}
Console.WriteLine($"{"bytes",12}  {"db",3}  {"type",-6}  key");
foreach (var key in parser.Handler.Largest())
    Console.WriteLine($"{key.Bytes,12}  {key.Db,3}  {key.Type,-6}  {key.Name}");
Console.WriteLine($"{parser.Handler.Entries} keys, RDB version {parser.Version}");
return 0;

/// <summary>One key and the size of its DUMP payload.</summary>
internal sealed record KeySize(long Bytes, int Db, string Type, string Name);

/// <summary>Keeps the <c>count</c> largest entries seen (a min-heap, so memory stays at <c>count</c> keys).</summary>
internal sealed class LargestKeys(int count) : IRdbHandler
{
    private readonly PriorityQueue<KeySize, long> _heap = new();

    public long Entries { get; private set; }

    public bool OnEntry(in RdbEntry entry)
    {
        Entries++;
        var bytes = DumpPayload.Length(entry.KeyMetadata.Length, entry.RawValue.Length);
        if (_heap.Count == count && _heap.TryPeek(out _, out var smallest) && bytes <= smallest) return true;
        var name = Encoding.UTF8.GetString(entry.Key);
        _heap.Enqueue(new KeySize(bytes, entry.Db, RdbTypeInfo.Name(entry.LogicalType), name), bytes);
        if (_heap.Count > count) _heap.Dequeue();
        return true;
    }

    /// <summary>The entries kept, largest first.</summary>
    public IEnumerable<KeySize> Largest() =>
        _heap.UnorderedItems.Select(i => i.Element).OrderByDescending(k => k.Bytes).ThenBy(k => k.Name, StringComparer.Ordinal);
}
