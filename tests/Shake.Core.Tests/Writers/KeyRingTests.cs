using System.Text;
using Shake.Core.Writers;

namespace Shake.Core.Tests.Writers;

public class KeyRingTests
{
    [Fact]
    public void CopiesStayIntactUntilReleasedInOrderAndNeverWrap()
    {
        var ring = new KeyRing(64);
        var live = new Queue<(string Key, int Offset, long End)>();
        var random = new Random(5);
        var refused = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var key = $"k{i}:" + new string('x', random.Next(0, 12));
            if (ring.TryCopy(Encoding.ASCII.GetBytes(key), out var offset, out var end))
            {
                Assert.True(offset + key.Length <= 64);
                Assert.True(end > 0);
                live.Enqueue((key, offset, end));
            }
            else refused++;
            // Every live copy still reads back as written.
            foreach (var (k, o, _) in live) Assert.Equal(k, Encoding.ASCII.GetString(ring.Buffer, o, k.Length));
            // Replies arrive in order, a few at a time.
            while (live.Count > 0 && (live.Count > 4 || random.Next(3) == 0)) ring.Release(live.Dequeue().End);
        }
        Assert.True(refused > 0, "the ring never filled up, so the refusal path was not exercised");
    }

    [Fact]
    public void EmptyAndOversizedKeys()
    {
        var ring = new KeyRing(64);
        Assert.True(ring.TryCopy(ReadOnlySpan<byte>.Empty, out _, out var end));
        Assert.True(end > 0);
        Assert.False(ring.TryCopy(new byte[17], out _, out _));
    }
}
