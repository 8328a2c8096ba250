namespace Shake.Core.Commands;

public static partial class CommandTable
{
    // Data commands of Redis 7.2-8.x that the generating 7.0 server does not know. All have their one key first, so
    // only their group and write flag add anything to the unknown-command rule. Generated entries win over these.
    private static readonly KeySpec[] FirstKey = [KeySpec.AtIndex(1, 0, 1, 0)];

    private static CommandSpec[] Newer() =>
    [
        new("HEXPIRE", CommandGroup.Hash, true, -6, FirstKey),
        new("HPEXPIRE", CommandGroup.Hash, true, -6, FirstKey),
        new("HEXPIREAT", CommandGroup.Hash, true, -6, FirstKey),
        new("HPEXPIREAT", CommandGroup.Hash, true, -6, FirstKey),
        new("HPERSIST", CommandGroup.Hash, true, -5, FirstKey),
        new("HTTL", CommandGroup.Hash, false, -5, FirstKey),
        new("HPTTL", CommandGroup.Hash, false, -5, FirstKey),
        new("HEXPIRETIME", CommandGroup.Hash, false, -5, FirstKey),
        new("HPEXPIRETIME", CommandGroup.Hash, false, -5, FirstKey),
        new("HGETDEL", CommandGroup.Hash, true, -5, FirstKey),
        new("HGETEX", CommandGroup.Hash, true, -5, FirstKey),
        new("HSETEX", CommandGroup.Hash, true, -6, FirstKey),
    ];
}
