using System.Buffers.Binary;
using System.IO.Hashing;
using Shake.Resp.Protocol;

namespace Shake.Core.Verification.Comparing;

/// <summary>
/// The value digests Shake computes itself, the same whether a value came whole from the probe script or in windows
/// from <see cref="ValueDigester"/>: strings hash their bytes; lists (in order), sets and hashes (order-free, as sums
/// of per-element hashes) and sorted sets (in rank order, scores as doubles) hash length-prefixed elements.
/// </summary>
public static class ValueHash
{
    /// <summary>The digest of a whole string.</summary>
    public static UInt128 OfString(ReadOnlySpan<byte> value) => XxHash128.HashToUInt128(value);

    /// <summary>The digest of a whole list, elements in order.</summary>
    public static UInt128 OfList(IReadOnlyList<RespValue> items)
    {
        var hash = new XxHash128();
        foreach (var item in items) AppendElement(hash, item.Bytes);
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>The digest of a whole set.</summary>
    public static UInt128 OfSet(IReadOnlyList<RespValue> members)
    {
        UInt128 sum = 0;
        foreach (var member in members) sum += OfMember(member.Bytes);
        return sum;
    }

    /// <summary>The digest of a whole hash given as field, value, field, value.</summary>
    public static UInt128 OfHash(IReadOnlyList<RespValue> flat)
    {
        UInt128 sum = 0;
        for (var i = 0; i + 1 < flat.Count; i += 2) sum += OfPair(flat[i].Bytes, flat[i + 1].Bytes);
        return sum;
    }

    /// <summary>The digest of a whole sorted set given as member, score, member, score in rank order.</summary>
    public static UInt128 OfSortedSet(IReadOnlyList<RespValue> flat)
    {
        var hash = new XxHash128();
        AppendScored(hash, flat);
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>One set member's share of a set digest.</summary>
    public static UInt128 OfMember(ReadOnlySpan<byte> member) => XxHash128.HashToUInt128(member);

    /// <summary>One field's share of a hash digest.</summary>
    public static UInt128 OfPair(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        var hash = new XxHash128();
        AppendElement(hash, field);
        AppendElement(hash, value);
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>Appends member, score pairs to a sorted set digest.</summary>
    public static void AppendScored(XxHash128 hash, IReadOnlyList<RespValue> flat)
    {
        Span<byte> score = stackalloc byte[8];
        for (var i = 0; i + 1 < flat.Count; i += 2)
        {
            AppendElement(hash, flat[i].Bytes);
            BinaryPrimitives.WriteDoubleLittleEndian(score, flat[i + 1].AsDouble());
            hash.Append(score);
        }
    }

    // A length prefix keeps element boundaries in the hash: ["ab","c"] and ["a","bc"] differ.
    /// <summary>Appends one length-prefixed element.</summary>
    public static void AppendElement(XxHash128 hash, ReadOnlySpan<byte> element)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, element.Length);
        hash.Append(length);
        hash.Append(element);
    }
}
