using System.Diagnostics;

namespace Shake.Host.Status;

/// <summary>Reads the .NET runtime's own figures for <c>GET /debug/runtime</c>; keeps the previous reading for the allocation rate.</summary>
public sealed class RuntimeSampler
{
    private readonly Lock _gate = new();
    private long _lastAllocated;
    private long _lastAt = Stopwatch.GetTimestamp();

    /// <summary>The figures now.</summary>
    public RuntimeFigures Read()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        double rate;
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(_lastAt, now).TotalSeconds;
            rate = seconds > 0 ? (allocated - _lastAllocated) / seconds : 0;
            _lastAllocated = allocated;
            _lastAt = now;
        }
        var memory = GC.GetGCMemoryInfo();
        using var process = Process.GetCurrentProcess();
        return new RuntimeFigures(
            [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
            GC.GetTotalMemory(forceFullCollection: false),
            memory.TotalCommittedBytes,
            memory.FragmentedBytes,
            memory.PauseTimePercentage,
            GC.GetTotalPauseDuration().TotalMilliseconds,
            allocated,
            rate,
            process.WorkingSet64,
            ThreadPool.ThreadCount,
            ThreadPool.PendingWorkItemCount,
            ThreadPool.CompletedWorkItemCount,
            Monitor.LockContentionCount,
            Environment.ProcessorCount,
            "for more: dotnet-counters monitor -p <pid> --counters System.Runtime,Shake (live figures), dotnet-trace collect -p <pid> (CPU samples, GC and allocation events), dotnet-gcdump collect -p <pid> (heap contents)");
    }
}
