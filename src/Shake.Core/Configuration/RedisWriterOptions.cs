namespace Shake.Core.Configuration;

/// <summary>Where the data goes (<c>[redis_writer]</c>, or v3 <c>[target]</c>).</summary>
/// <param name="Target">The target deployment.</param>
/// <param name="Sentinel">The address is a Sentinel that names the master.</param>
/// <param name="Master">The Sentinel master name.</param>
/// <param name="OffReply">Send <c>CLIENT REPLY OFF</c> and write without reading replies.</param>
public sealed record RedisWriterOptions(RedisInstanceOptions Target, bool Sentinel = false, string Master = "", bool OffReply = false);
