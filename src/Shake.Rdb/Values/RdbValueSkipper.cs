using System.Runtime.CompilerServices;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Rdb.Values;

/// <summary>
/// Walks over one value's bytes without decoding them: the raw path. It only reads the lengths it needs to find
/// the value's end, so a value costs time proportional to its number of length fields, not its size.
/// </summary>
internal static class RdbValueSkipper
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TrySkip(ref RdbCursor c, byte type, RdbMagicKind magic)
    {
        switch (type)
        {
            case RdbValueType.String:
            case RdbValueType.HashZipmap:
            case RdbValueType.ListZiplist:
            case RdbValueType.SetIntset:
            case RdbValueType.ZSetZiplist:
            case RdbValueType.HashZiplist:
            case RdbValueType.HashListpack:
            case RdbValueType.ZSetListpack:
            case RdbValueType.SetListpack:
                return c.TrySkipString();
            case RdbValueType.List:
            case RdbValueType.Set:
            case RdbValueType.ListQuicklist:
                return TrySkipStrings(ref c, 1, "element count");
            case RdbValueType.Hash:
                return TrySkipStrings(ref c, 2, "hash field count");
            case RdbValueType.ZSet:
                return TrySkipTextScoreZSet(ref c);
            case RdbValueType.ZSet2:
                return TrySkipBinaryScoreZSet(ref c);
            case RdbValueType.ListQuicklist2:
                return TrySkipQuicklist2(ref c);
            case RdbValueType.StreamListpacks:
            case RdbValueType.StreamListpacks2:
            case RdbValueType.StreamListpacks3:
                return TrySkipStream(ref c, type);
            case RdbValueType.Module2:
                if (!c.TryReadCount(out _, "a module type id")) return false;
                return TrySkipModuleOpcodes(ref c, "module value");
        }
        if (magic == RdbMagicKind.Redis)
        {
            switch (type)
            {
                case RdbValueType.RedisHashMetadata:
                    if (!c.TrySkip(8)) return false;
                    return TrySkipTtlHash(ref c);
                case RdbValueType.RedisHashMetadataPreGa:
                    return TrySkipTtlHash(ref c);
                case RdbValueType.RedisHashListpackEx:
                    if (!c.TrySkip(8)) return false;
                    return c.TrySkipString();
                case RdbValueType.RedisHashListpackExPreGa:
                    return c.TrySkipString();
                case RdbValueType.RedisStreamListpacks4:
                    return TrySkipStream(ref c, type);
            }
        }
        else if (type == RdbValueType.ValkeyHash2)
        {
            return TrySkipValkeyHash2(ref c);
        }
        throw RdbTypeErrors.Unsupported(type, magic, c.Offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TrySkipStrings(ref RdbCursor c, int stringsPerElement, string what)
    {
        if (!c.TryReadCount(out ulong count, what)) return false;
        for (ulong i = 0; i < count; i++)
        {
            for (int s = 0; s < stringsPerElement; s++)
                if (!c.TrySkipString()) return false;
        }
        return true;
    }

    private static bool TrySkipTextScoreZSet(ref RdbCursor c)
    {
        if (!c.TryReadCount(out ulong count, "sorted set size")) return false;
        for (ulong i = 0; i < count; i++)
        {
            if (!c.TrySkipString() || !c.TrySkipTextDouble()) return false;
        }
        return true;
    }

    private static bool TrySkipBinaryScoreZSet(ref RdbCursor c)
    {
        if (!c.TryReadCount(out ulong count, "sorted set size")) return false;
        for (ulong i = 0; i < count; i++)
        {
            if (!c.TrySkipString() || !c.TrySkip(8)) return false;
        }
        return true;
    }

    private static bool TrySkipQuicklist2(ref RdbCursor c)
    {
        if (!c.TryReadCount(out ulong count, "quicklist node count")) return false;
        for (ulong i = 0; i < count; i++)
        {
            long at = c.Offset;
            if (!c.TryReadCount(out ulong container, "a quicklist node container")) return false;
            if (container is not (QuicklistContainer.Plain or QuicklistContainer.Packed))
                throw new RdbFormatException($"unknown quicklist node container {container} (expected 1 plain or 2 packed)", at);
            if (!c.TrySkipString()) return false;
        }
        return true;
    }

    private static bool TrySkipTtlHash(ref RdbCursor c)
    {
        if (!c.TryReadCount(out ulong count, "hash field count")) return false;
        for (ulong i = 0; i < count; i++)
        {
            if (!c.TryReadCount(out _, "a hash field TTL")) return false;
            if (!c.TrySkipString() || !c.TrySkipString()) return false;
        }
        return true;
    }

    private static bool TrySkipValkeyHash2(ref RdbCursor c)
    {
        if (!c.TryReadCount(out ulong count, "hash field count")) return false;
        for (ulong i = 0; i < count; i++)
        {
            if (!c.TrySkipString() || !c.TrySkipString() || !c.TrySkip(8)) return false;
        }
        return true;
    }

    /// <summary>Skips module-serialised data: (opcode, value) pairs until the EOF opcode.</summary>
    public static bool TrySkipModuleOpcodes(ref RdbCursor c, string what)
    {
        while (true)
        {
            long at = c.Offset;
            if (!c.TryReadCount(out ulong opcode, $"a {what} opcode")) return false;
            switch (opcode)
            {
                case ModuleOpcode.Eof:
                    return true;
                case ModuleOpcode.SignedInt:
                case ModuleOpcode.UnsignedInt:
                    if (!c.TryReadCount(out _, $"a {what} integer")) return false;
                    break;
                case ModuleOpcode.Float:
                    if (!c.TrySkip(4)) return false;
                    break;
                case ModuleOpcode.Double:
                    if (!c.TrySkip(8)) return false;
                    break;
                case ModuleOpcode.String:
                    if (!c.TrySkipString()) return false;
                    break;
                default:
                    throw new RdbFormatException($"unknown {what} opcode {opcode}", at);
            }
        }
    }

    private static bool TrySkipStream(ref RdbCursor c, byte type)
    {
        int layout = StreamLayout.Of(type);
        if (!c.TryReadCount(out ulong nodes, "stream listpack count")) return false;
        for (ulong i = 0; i < nodes; i++)
        {
            if (!c.TrySkipString() || !c.TrySkipString()) return false;
        }
        if (!c.TryReadCount(out _, "stream length")) return false;
        if (!SkipLengths(ref c, 2, "stream last id")) return false;
        if (layout >= 2 && !SkipLengths(ref c, 5, "stream metadata")) return false;
        if (!c.TryReadCount(out ulong groups, "consumer group count")) return false;
        for (ulong g = 0; g < groups; g++)
        {
            if (!c.TrySkipString()) return false;
            if (!SkipLengths(ref c, layout >= 2 ? 3 : 2, "consumer group last id")) return false;
            if (!c.TryReadCount(out ulong pel, "group PEL size")) return false;
            for (ulong p = 0; p < pel; p++)
            {
                if (!c.TrySkip(16 + 8)) return false;
                if (!c.TryReadCount(out _, "PEL delivery count")) return false;
            }
            if (!c.TryReadCount(out ulong consumers, "consumer count")) return false;
            for (ulong k = 0; k < consumers; k++)
            {
                if (!c.TrySkipString()) return false;
                if (!c.TrySkip(layout >= 3 ? 16 : 8)) return false;
                if (!c.TryReadCount(out ulong owned, "consumer PEL size")) return false;
                for (ulong p = 0; p < owned; p++)
                    if (!c.TrySkip(16)) return false;
            }
        }
        return layout < 4 || TrySkipIdempotentProducers(ref c);
    }

    /// <summary>Stream layout 4 (Redis 8.6): IDMP duration, max entries, producers (pid, entries of iid + id), two counters.</summary>
    public static bool TrySkipIdempotentProducers(ref RdbCursor c)
    {
        if (!SkipLengths(ref c, 2, "stream IDMP settings")) return false;
        if (!c.TryReadCount(out ulong producers, "stream IDMP producer count")) return false;
        for (ulong i = 0; i < producers; i++)
        {
            if (!c.TrySkipString()) return false;
            if (!c.TryReadCount(out ulong entries, "stream IDMP entry count")) return false;
            for (ulong e = 0; e < entries; e++)
            {
                if (!c.TrySkipString() || !SkipLengths(ref c, 2, "stream IDMP entry id")) return false;
            }
        }
        return SkipLengths(ref c, 2, "stream IDMP counters");
    }

    private static bool SkipLengths(ref RdbCursor c, int count, string what)
    {
        for (int i = 0; i < count; i++)
            if (!c.TryReadCount(out _, what)) return false;
        return true;
    }
}
