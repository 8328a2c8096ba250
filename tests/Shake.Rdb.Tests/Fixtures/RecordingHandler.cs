using System.Buffers;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Rdb.Tests.Fixtures;

/// <summary>One entry copied out of the parser's buffers.</summary>
public sealed record RecordedEntry(int Db, byte[] Key, byte Type, RdbLogicalType LogicalType, byte[] Raw, long ExpireAtMs, long IdleSeconds,
    int Frequency, int RdbVersion, RdbMagicKind Magic, long Offset, byte[] KeyMetadata)
{
    public string KeyText => System.Text.Encoding.UTF8.GetString(Key);
}

/// <summary>Handler that copies everything it sees, for assertions.</summary>
public sealed class RecordingHandler : IRdbHandler
{
    public int Version { get; private set; }
    public RdbMagicKind Magic { get; private set; }
    public List<RecordedEntry> Entries { get; } = [];
    public List<(string Key, byte[] Value)> Aux { get; } = [];
    public List<byte[]> Functions { get; } = [];
    public List<ulong> ModuleAux { get; } = [];
    public List<int> SelectedDbs { get; } = [];
    public bool Ended { get; private set; }
    public bool ChecksumPresent { get; private set; }
    public bool ChecksumVerified { get; private set; }
    public int StopAfter { get; init; } = int.MaxValue;

    public void OnHeader(int version, RdbMagicKind magic) { Version = version; Magic = magic; }
    public void OnAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Aux.Add((System.Text.Encoding.UTF8.GetString(key), value.ToArray()));
    public void OnSelectDb(int db) => SelectedDbs.Add(db);
    public void OnFunction(ReadOnlySpan<byte> code) => Functions.Add(code.ToArray());
    public void OnModuleAux(ulong moduleId, in ReadOnlySequence<byte> raw) => ModuleAux.Add(moduleId);

    public bool OnEntry(in RdbEntry entry)
    {
        Entries.Add(new RecordedEntry(entry.Db, entry.Key.ToArray(), entry.Type, entry.LogicalType, entry.RawValue.ToArray(), entry.ExpireAtMs,
            entry.IdleSeconds, entry.Frequency, entry.RdbVersion, entry.Magic, entry.Offset, entry.KeyMetadata.ToArray()));
        return Entries.Count < StopAfter;
    }

    public void OnEnd(bool checksumPresent, bool checksumVerified) { Ended = true; ChecksumPresent = checksumPresent; ChecksumVerified = checksumVerified; }
}
