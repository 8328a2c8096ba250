using Shake.Core.Configuration;
using Shake.Core.Engine;

namespace Shake.Host.Running;

/// <summary>Maps a loaded <see cref="ShakeConfig"/> onto <see cref="EngineOptions"/>, or says why this build cannot run it.</summary>
public static class EngineOptionsFactory
{
    /// <summary>
    /// The engine options for <paramref name="config"/>, or null with <paramref name="unsupported"/> naming what the
    /// configuration asks for that Shake does not do yet (nothing is connected before this check).
    /// </summary>
    public static EngineOptions? TryCreate(ShakeConfig config, out string? unsupported)
    {
        unsupported = Unsupported(config);
        if (unsupported is not null) return null;
        var advanced = config.Advanced;
        var options = new EngineOptions
        {
            Target = config.Writer.Target.ToConnectionOptions(),
            RestoreBehavior = advanced.RdbRestoreCommandBehavior,
            RestoreForm = advanced.RestoreForm,
            EmptyDbBeforeSync = advanced.EmptyDbBeforeSync,
            PipelineCountLimit = advanced.PipelineCountLimit,
            TargetProtoMaxBulkLength = advanced.TargetRedisProtoMaxBulkLen,
            Directory = advanced.Dir,
            SpoolMemoryLimitBytes = (long)advanced.SpoolMemoryLimitMb << 20,
            SpoolDiskLimitBytes = advanced.SpoolDiskLimitMb << 20,
            SpoolCompression = advanced.SpoolCompression,
            LargeValueThresholdBytes = (long)advanced.LargeValueThresholdMb << 20,
            LogInterval = TimeSpan.FromSeconds(advanced.LogInterval),
            Filter = config.Filter,
            RestoreSinglePass = advanced.RestoreSinglePass,
            ValidateSourcePayloads = advanced.ValidateSourcePayloads,
            Checkpoint = new() { Prefix = advanced.CheckpointKey, GuardOppositeDirection = advanced.CheckpointGuard },
            TargetMustBeEmpty = advanced.TargetMustBeEmpty,
            TargetWaitReplicas = advanced.TargetWaitReplicas,
            TargetWaitTimeout = TimeSpan.FromMilliseconds(advanced.TargetWaitTimeoutMs),
        };
        return config.Reader switch
        {
            SyncReaderOptions sync => options with
            {
                Mode = EngineMode.Sync,
                Source = sync.Source.ToConnectionOptions(),
                SyncRdb = sync.SyncRdb,
                SyncAof = sync.SyncAof,
                PreferReplica = sync.PreferReplica,
                // The v3 reader sets it (v3 files have no try_diskless; redis-shake v3 always accepted diskless transfers).
                TryDiskless = sync.TryDiskless,
            },
            RdbReaderOptions rdb => options with { Mode = EngineMode.Restore, RdbFilePath = rdb.FilePath },
            _ => throw new InvalidOperationException("unreachable: unsupported readers are reported above"),
        };
    }

    private static string? Unsupported(ShakeConfig config)
    {
        if (config.Reader is not (SyncReaderOptions or RdbReaderOptions))
            return $"the {config.Reader.Mode} mode ([{config.Reader.Section}]) is not implemented yet";
        if (config.Writer.Sentinel) return "a sentinel-managed target is not implemented yet";
        return null;
    }
}
