namespace Shake.Rdb.Format;

/// <summary>What a value type byte means in a file of a given magic: its data type and encoding name.</summary>
public static class RdbTypeInfo
{
    /// <summary>
    /// True when <paramref name="type"/> is a value type this parser can walk in a file of kind <paramref name="magic"/>;
    /// <paramref name="logical"/> is its data type.
    /// </summary>
    public static bool TryGetLogicalType(byte type, RdbMagicKind magic, out RdbLogicalType logical)
    {
        switch (type)
        {
            case RdbValueType.String:
                logical = RdbLogicalType.String; return true;
            case RdbValueType.List or RdbValueType.ListZiplist or RdbValueType.ListQuicklist or RdbValueType.ListQuicklist2:
                logical = RdbLogicalType.List; return true;
            case RdbValueType.Set or RdbValueType.SetIntset or RdbValueType.SetListpack:
                logical = RdbLogicalType.Set; return true;
            case RdbValueType.ZSet or RdbValueType.ZSet2 or RdbValueType.ZSetZiplist or RdbValueType.ZSetListpack:
                logical = RdbLogicalType.ZSet; return true;
            case RdbValueType.Hash or RdbValueType.HashZipmap or RdbValueType.HashZiplist or RdbValueType.HashListpack:
                logical = RdbLogicalType.Hash; return true;
            case RdbValueType.StreamListpacks or RdbValueType.StreamListpacks2 or RdbValueType.StreamListpacks3:
                logical = RdbLogicalType.Stream; return true;
            case RdbValueType.Module2:
                logical = RdbLogicalType.Module; return true;
        }
        if (magic == RdbMagicKind.Redis && type is >= RdbValueType.RedisHashMetadataPreGa and <= RdbValueType.RedisHashListpackEx)
        {
            logical = RdbLogicalType.Hash; return true;
        }
        if (magic == RdbMagicKind.Redis && type == RdbValueType.RedisStreamListpacks4)
        {
            logical = RdbLogicalType.Stream; return true;
        }
        if (magic == RdbMagicKind.Valkey && type == RdbValueType.ValkeyHash2)
        {
            logical = RdbLogicalType.Hash; return true;
        }
        logical = default;
        return false;
    }

    /// <summary>A readable name for a type byte (for messages and <c>shake rdb</c> output), e.g. <c>hash-listpack-ex</c>.</summary>
    public static string Name(byte type, RdbMagicKind magic)
    {
        if (type >= 22)
        {
            if (magic == RdbMagicKind.Valkey)
            {
                return type switch
                {
                    RdbValueType.ValkeyHash2 => "hash-2",
                    RdbValueType.ValkeyPathHash => "path-hash",
                    _ => $"unknown-{type}",
                };
            }
            return type switch
            {
                RdbValueType.RedisHashMetadataPreGa => "hash-metadata-pre-ga",
                RdbValueType.RedisHashListpackExPreGa => "hash-listpack-ex-pre-ga",
                RdbValueType.RedisHashMetadata => "hash-metadata",
                RdbValueType.RedisHashListpackEx => "hash-listpack-ex",
                RdbValueType.RedisStreamListpacks4 => "stream-listpacks-4",
                _ => $"unknown-{type}",
            };
        }
        return type switch
        {
            RdbValueType.String => "string",
            RdbValueType.List => "list-linked",
            RdbValueType.Set => "set",
            RdbValueType.ZSet => "zset",
            RdbValueType.Hash => "hash",
            RdbValueType.ZSet2 => "zset-2",
            RdbValueType.ModulePreGa => "module-pre-ga",
            RdbValueType.Module2 => "module-2",
            RdbValueType.HashZipmap => "hash-zipmap",
            RdbValueType.ListZiplist => "list-ziplist",
            RdbValueType.SetIntset => "set-intset",
            RdbValueType.ZSetZiplist => "zset-ziplist",
            RdbValueType.HashZiplist => "hash-ziplist",
            RdbValueType.ListQuicklist => "list-quicklist",
            RdbValueType.StreamListpacks => "stream-listpacks",
            RdbValueType.HashListpack => "hash-listpack",
            RdbValueType.ZSetListpack => "zset-listpack",
            RdbValueType.ListQuicklist2 => "list-quicklist-2",
            RdbValueType.StreamListpacks2 => "stream-listpacks-2",
            RdbValueType.SetListpack => "set-listpack",
            RdbValueType.StreamListpacks3 => "stream-listpacks-3",
            _ => $"unknown-{type}",
        };
    }

    /// <summary>The name <c>TYPE key</c> gives for a data type: string, list, set, zset, hash, stream, module.</summary>
    public static string Name(RdbLogicalType logical) => logical switch
    {
        RdbLogicalType.String => "string",
        RdbLogicalType.List => "list",
        RdbLogicalType.Set => "set",
        RdbLogicalType.ZSet => "zset",
        RdbLogicalType.Hash => "hash",
        RdbLogicalType.Stream => "stream",
        _ => "module",
    };
}
