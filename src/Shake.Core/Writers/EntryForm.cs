using Shake.Core.Configuration;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Core.Writers;

/// <summary>The command an RDB entry is written to the target as.</summary>
public enum EntryForm : byte
{
    /// <summary><c>RESTORE key ttl payload ABSTTL ...</c>: every type; listpack/intset encodings are copied as they are.</summary>
    Restore,

    /// <summary>One <c>SET key value [NX] [PXAT ms]</c>: a string with a TTL, or any string under <c>skip</c>.</summary>
    Set,

    /// <summary>Into a <see cref="StringBatch"/>: <c>MSET</c> under <c>rewrite</c>, <c>MSETNX</c> under <c>panic</c>.</summary>
    Batch,
}

/// <summary>
/// Picks the cheapest form for the target's CPU that leaves the same data (<c>DEBUG DIGEST</c>) as RESTORE would, per
/// entry type and size (figures from <c>bench/e2e/write-forms.sh</c>): strings as SET or in MSET/MSETNX batches,
/// everything else as RESTORE, which copies listpack and intset encodings instead of rebuilding them. Entries carrying
/// an LRU idle time or an LFU counter stay RESTOREs (IDLETIME/FREQ exist only there), as do strings of another
/// format (module key metadata) or larger than <see cref="MaxStringLength"/>.
/// </summary>
public sealed class EntryFormChooser
{
    /// <summary>Longest string value written as SET or in a batch; longer ones are RESTOREs (decoded here, they would cost this side a copy).</summary>
    public const int MaxStringLength = 16 * 1024;

    private readonly byte[] _scratch = new byte[MaxStringLength];
    private readonly bool _plainStrings;
    private readonly bool _absoluteExpiry;
    private readonly RestoreBehavior _behavior;

    /// <summary>Creates the chooser for a target running <paramref name="targetVersion"/>.</summary>
    public EntryFormChooser(RestoreForm form, RestoreBehavior behavior, string targetVersion)
    {
        _behavior = behavior;
        var version = ParseVersion(targetVersion);
        // SET ... NX is 2.6.12; PXAT is 6.2.
        _plainStrings = form == RestoreForm.Auto && version >= new Version(2, 6, 12);
        _absoluteExpiry = version >= new Version(6, 2);
    }

    /// <summary>True when strings may take other forms than RESTORE.</summary>
    public bool PlainStrings => _plainStrings;

    /// <summary>The command a string without TTL is batched in (<c>MSET</c>, or <c>MSETNX</c> under <c>panic</c>); null under <c>skip</c>, which needs per-key replies.</summary>
    public bool? BatchIsNx => _behavior switch
    {
        RestoreBehavior.Rewrite => false,
        RestoreBehavior.Panic => true,
        _ => null,
    };

    /// <summary>
    /// Chooses the form of <paramref name="entry"/>; for <see cref="EntryForm.Set"/> and <see cref="EntryForm.Batch"/>
    /// <paramref name="value"/> is the string's bytes (a slice of the entry, or of this chooser's scratch buffer,
    /// valid until the next call).
    /// </summary>
    public EntryForm Choose(in RdbEntry entry, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!_plainStrings || entry.LogicalType != RdbLogicalType.String || entry.Type != 0 || entry.IdleSeconds >= 0 || entry.Frequency >= 0
            || !entry.KeyMetadata.IsEmpty || entry.RawValue.Length > MaxStringLength + 9)
            return EntryForm.Restore;
        if (entry.ExpireAtMs >= 0 && !_absoluteExpiry) return EntryForm.Restore;
        if (!RdbStringValue.TryDecode(entry.RawValue, _scratch, out value) || value.Length > MaxStringLength)
        {
            value = default;
            return EntryForm.Restore;
        }
        return entry.ExpireAtMs < 0 && BatchIsNx is not null ? EntryForm.Batch : EntryForm.Set;
    }

    private static Version ParseVersion(string text)
    {
        var parts = text.Split('.');
        int Part(int i) => i < parts.Length && int.TryParse(parts[i], out var v) ? v : 0;
        return new Version(Part(0), Part(1), Part(2));
    }
}
