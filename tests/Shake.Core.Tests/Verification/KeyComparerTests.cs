using Shake.Core.Verification.Comparing;
using Shake.Core.Verification.Model;

namespace Shake.Core.Tests.Verification;

public class KeyComparerTests
{
    private const long Now = 1_800_000_000_000;
    private static readonly KeyComparer Comparer = new(1000);

    private static KeyState State(RedisValueType type = RedisValueType.String, long expireAt = -1, ulong digest = 1, DigestKind kind = DigestKind.Server) =>
        new(type, expireAt, digest, kind);

    [Fact]
    public void EqualStatesAreEqual() => Assert.Equal(KeyVerdict.Equal, Comparer.Compare(State(), State(), Now));

    [Fact]
    public void ExistenceComesFirst()
    {
        Assert.Equal(KeyVerdict.Missing, Comparer.Compare(State(), KeyState.Missing, Now));
        Assert.Equal(KeyVerdict.Extra, Comparer.Compare(KeyState.Missing, State(), Now));
        Assert.Equal(KeyVerdict.Gone, Comparer.Compare(KeyState.Missing, KeyState.Missing, Now));
    }

    [Fact]
    public void AKeyAboutToExpireMayBeMissingOnTheTarget()
    {
        Assert.Equal(KeyVerdict.Equal, Comparer.Compare(State(expireAt: Now + 500), KeyState.Missing, Now));
        Assert.Equal(KeyVerdict.Missing, Comparer.Compare(State(expireAt: Now + 5000), KeyState.Missing, Now));
    }

    [Fact]
    public void TypeComesBeforeValue() =>
        Assert.Equal(KeyVerdict.Type, Comparer.Compare(State(RedisValueType.Hash, digest: 1), State(RedisValueType.Set, digest: 2), Now));

    [Fact]
    public void ServerDigestsThatDifferAskForAValueCheck() =>
        Assert.Equal(KeyVerdict.NeedsValueCheck, Comparer.Compare(State(digest: 1), State(digest: 2), Now));

    [Fact]
    public void DigestsOfDifferentKindsAskForAValueCheck() =>
        Assert.Equal(KeyVerdict.NeedsValueCheck, Comparer.Compare(State(kind: DigestKind.Client), State(kind: DigestKind.Server), Now));

    [Fact]
    public void ClientDigestsThatDifferAreAValueDifference() =>
        Assert.Equal(KeyVerdict.Value, Comparer.Compare(State(digest: 1, kind: DigestKind.Client), State(digest: 2, kind: DigestKind.Client), Now));

    [Fact]
    public void ExpiriesWithinTheToleranceAreEqual()
    {
        Assert.Equal(KeyVerdict.Equal, Comparer.Compare(State(expireAt: Now + 10_000), State(expireAt: Now + 10_900), Now));
        Assert.Equal(KeyVerdict.Ttl, Comparer.Compare(State(expireAt: Now + 10_000), State(expireAt: Now + 11_001), Now));
        Assert.Equal(KeyVerdict.Ttl, Comparer.Compare(State(expireAt: Now + 10_000), State(), Now));
    }
}
