using Shake.Core.Status;
using Xunit;

namespace Shake.Core.Tests.Status;

public sealed class LagClockTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Now { get; set; } = 1_000_000;

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => Now;

        public void Advance(TimeSpan by) => Now += (long)(by.TotalSeconds * TimestampFrequency);
    }

    [Fact]
    public void The_age_is_that_of_the_first_byte_not_yet_applied()
    {
        var time = new ManualTime();
        var clock = new LagClock(time);
        clock.Record(100, 0);
        time.Advance(TimeSpan.FromSeconds(1));
        clock.Record(200, 0);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(3), clock.Age(0, 200));
        Assert.Equal(TimeSpan.FromSeconds(2), clock.Age(100, 200));
        Assert.Equal(TimeSpan.Zero, clock.Age(200, 200));
    }

    [Fact]
    public void Bytes_within_one_spacing_join_the_last_sample_so_none_is_left_without_an_age()
    {
        var time = new ManualTime();
        var clock = new LagClock(time);
        clock.Record(100, 0);
        time.Advance(TimeSpan.FromMilliseconds(1));
        clock.Record(150, 0);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5001, (int)clock.Age(120, 150).TotalMilliseconds);
    }

    [Fact]
    public void A_long_lag_keeps_bounded_samples_and_a_coarser_but_present_age()
    {
        var time = new ManualTime();
        var clock = new LagClock(time);
        for (var i = 1; i <= 100_000; i++)
        {
            clock.Record(i * 10L, 0);
            time.Advance(TimeSpan.FromMilliseconds(10));
        }
        // The first byte arrived 1000 s ago; thinning keeps the oldest sample.
        Assert.InRange(clock.Age(0, 1_000_000).TotalSeconds, 999, 1001);
        Assert.InRange(clock.Age(500_000, 1_000_000).TotalSeconds, 400, 520);
    }
}
