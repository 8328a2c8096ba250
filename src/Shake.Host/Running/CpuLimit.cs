using System.Diagnostics;
using System.Numerics;

namespace Shake.Host.Running;

/// <summary>
/// Applies <c>advanced.ncpu</c>, redis-shake's GOMAXPROCS: the process is pinned to that many of the CPUs it may run on,
/// so every thread of the engine (thread pool, sockets, GC) shares at most that many cores. 0 means all of them.
/// </summary>
internal static class CpuLimit
{
    /// <summary>Pins the current process to <paramref name="ncpu"/> CPUs; returns a line for the log describing the outcome.</summary>
    public static string Apply(int ncpu)
    {
        using var process = Process.GetCurrentProcess();
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
            return $"ncpu = {ncpu}: CPU pinning is not supported on this platform; using every CPU";
        var allowed = (ulong)(long)process.ProcessorAffinity;
        var available = BitOperations.PopCount(allowed);
        if (ncpu <= 0 || ncpu >= available)
            return ncpu <= 0 ? $"ncpu = 0: using all {available} CPUs" : $"ncpu = {ncpu}: using all {available} CPUs (no more are available)";

        // Keep the lowest `ncpu` CPUs among those already allowed (a container or taskset may have narrowed them).
        ulong mask = 0;
        var remaining = allowed;
        for (var i = 0; i < ncpu; i++)
        {
            var lowest = remaining & (~remaining + 1);
            mask |= lowest;
            remaining &= ~lowest;
        }
        process.ProcessorAffinity = (nint)(long)mask;
        process.Refresh();
        var applied = BitOperations.PopCount((ulong)(long)process.ProcessorAffinity);
        return $"ncpu = {ncpu}: running on {applied} of {available} CPUs (affinity mask 0x{mask:x})";
    }
}
