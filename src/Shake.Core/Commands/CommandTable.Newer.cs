namespace Shake.Core.Commands;

public static partial class CommandTable
{
    // Data commands of Redis 7.2-8.x that the generating 7.0 server does not know. All have their one key first, so
    // only their group and write flag add anything to the unknown-command rule. Generated entries win over these.
    private static CommandSpec[] Newer()
    {
        // Built here rather than in a static field: static fields of partial files initialise in no promised order.
        KeySpec[] firstKey = [KeySpec.AtIndex(1, 0, 1, 0)];
        return
        [
            new("HEXPIRE", CommandGroup.Hash, true, -6, firstKey),
            new("HPEXPIRE", CommandGroup.Hash, true, -6, firstKey),
            new("HEXPIREAT", CommandGroup.Hash, true, -6, firstKey),
            new("HPEXPIREAT", CommandGroup.Hash, true, -6, firstKey),
            new("HPERSIST", CommandGroup.Hash, true, -5, firstKey),
            new("HTTL", CommandGroup.Hash, false, -5, firstKey),
            new("HPTTL", CommandGroup.Hash, false, -5, firstKey),
            new("HEXPIRETIME", CommandGroup.Hash, false, -5, firstKey),
            new("HPEXPIRETIME", CommandGroup.Hash, false, -5, firstKey),
            new("HGETDEL", CommandGroup.Hash, true, -5, firstKey),
            new("HGETEX", CommandGroup.Hash, true, -5, firstKey),
            new("HSETEX", CommandGroup.Hash, true, -6, firstKey),
        ];
    }
}
