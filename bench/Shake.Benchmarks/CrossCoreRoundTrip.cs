using System.Diagnostics;

namespace Shake.Benchmarks;

/// <summary>
/// How long one cache line takes to go from one core to another and back, measured by two threads passing a counter.
/// The whole-file validation pass shares every value's bytes between the parser's core and a worker's, so its figures
/// depend on this: on this kind of VM this measurement gives about 70-110 ns most of the time and about 300-380 ns at
/// other times (the host seems to place the two virtual cores far apart then), and the pass is then no faster than
/// validating on one core.
/// Printed with the validation benchmarks so that a reader knows which case a run measured.
/// </summary>
public static class CrossCoreRoundTrip
{
    /// <summary>The median of five measurements of <paramref name="trips"/> round trips each, in nanoseconds.</summary>
    public static double Measure(int trips = 100_000)
    {
        var samples = new double[5];
        for (int i = 0; i < samples.Length; i++) samples[i] = MeasureOnce(trips);
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    private static double MeasureOnce(int trips)
    {
        // The counter sits alone on its cache line, with a line of padding on each side.
        var line = new long[24];
        const int At = 8;
        var other = new Thread(() =>
        {
            for (long i = 1; i < 2L * trips; i += 2)
            {
                while (Volatile.Read(ref line[At]) != i) Thread.SpinWait(1);
                Volatile.Write(ref line[At], i + 1);
            }
        });
        other.Start();
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < 2L * trips; i += 2)
        {
            while (Volatile.Read(ref line[At]) != i) Thread.SpinWait(1);
            Volatile.Write(ref line[At], i + 1);
        }
        other.Join();
        return clock.Elapsed.TotalMilliseconds * 1e6 / trips;
    }
}
