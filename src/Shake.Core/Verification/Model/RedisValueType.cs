namespace Shake.Core.Verification.Model;

/// <summary>The type of a key as <c>TYPE</c> names it; <see cref="None"/> when the key does not exist.</summary>
public enum RedisValueType : byte
{
    /// <summary>The key does not exist.</summary>
    None,
    /// <summary><c>string</c>.</summary>
    String,
    /// <summary><c>list</c>.</summary>
    List,
    /// <summary><c>set</c>.</summary>
    Set,
    /// <summary><c>zset</c>.</summary>
    ZSet,
    /// <summary><c>hash</c>.</summary>
    Hash,
    /// <summary><c>stream</c>.</summary>
    Stream,
    /// <summary>A module type (or any name this build does not know); compared by its DUMP payload.</summary>
    Other,
}

/// <summary>Conversions between <see cref="RedisValueType"/> and the names <c>TYPE</c> replies with.</summary>
public static class RedisValueTypes
{
    /// <summary>The type for a <c>TYPE</c> reply.</summary>
    public static RedisValueType Parse(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("string"u8) => RedisValueType.String,
        _ when name.SequenceEqual("hash"u8) => RedisValueType.Hash,
        _ when name.SequenceEqual("list"u8) => RedisValueType.List,
        _ when name.SequenceEqual("set"u8) => RedisValueType.Set,
        _ when name.SequenceEqual("zset"u8) => RedisValueType.ZSet,
        _ when name.SequenceEqual("stream"u8) => RedisValueType.Stream,
        _ when name.SequenceEqual("none"u8) => RedisValueType.None,
        _ => RedisValueType.Other,
    };

    /// <summary>The <c>TYPE</c> name of <paramref name="type"/> (<c>none</c> for a missing key, <c>module</c> for others).</summary>
    public static string Name(this RedisValueType type) => type switch
    {
        RedisValueType.String => "string",
        RedisValueType.List => "list",
        RedisValueType.Set => "set",
        RedisValueType.ZSet => "zset",
        RedisValueType.Hash => "hash",
        RedisValueType.Stream => "stream",
        RedisValueType.None => "none",
        _ => "module",
    };

    /// <summary>The command group a value of this type belongs to, as the filters see RDB entries.</summary>
    public static Commands.CommandGroup Group(this RedisValueType type) => type switch
    {
        RedisValueType.String => Commands.CommandGroup.String,
        RedisValueType.List => Commands.CommandGroup.List,
        RedisValueType.Set => Commands.CommandGroup.Set,
        RedisValueType.ZSet => Commands.CommandGroup.SortedSet,
        RedisValueType.Hash => Commands.CommandGroup.Hash,
        RedisValueType.Stream => Commands.CommandGroup.Stream,
        _ => Commands.CommandGroup.Generic,
    };
}
