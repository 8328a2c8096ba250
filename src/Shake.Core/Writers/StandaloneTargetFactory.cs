using Microsoft.Extensions.Logging;
using Shake.Core.Engine;
using Shake.Resp.Connections;

namespace Shake.Core.Writers;

/// <summary>A standalone target: every engine gets its own <see cref="TargetWriter"/> and connection.</summary>
public sealed class StandaloneTargetFactory(RedisConnectionOptions target) : ITargetWriterFactory
{
    /// <inheritdoc />
    public string Description => target.Address;

    /// <inheritdoc />
    public async Task<ITargetWriter> CreateAsync(TargetWriterOptions options, EngineStatistics statistics, ILogger logger, CancellationToken cancellation)
    {
        var writer = await TargetWriter.ConnectAsync(target, options, statistics, logger, cancellation);
        if (writer.Info.ClusterEnabled)
        {
            await writer.DisposeAsync();
            throw new InvalidOperationException($"the target {target.Address} runs in cluster mode: configure it as a cluster ([target] type = \"cluster\" in a v3 file, cluster = true in [redis_writer] of a v4 file)");
        }
        return writer;
    }
}
