namespace Shake.Core.Configuration;

/// <summary>Whether Shake acts on a recognised redis-shake option; decides what is reported when it is set.</summary>
/// <param name="Level">Implemented, not yet implemented, or without effect in Shake.</param>
/// <param name="Reason">For <see cref="OptionSupportLevel.NoEffect"/>, why the option does nothing.</param>
internal readonly record struct OptionSupport(OptionSupportLevel Level, string Reason = "")
{
    public static OptionSupport Implemented => new(OptionSupportLevel.Implemented);

    public static OptionSupport NotYetImplemented => new(OptionSupportLevel.NotYetImplemented);

    public static OptionSupport NoEffect(string reason) => new(OptionSupportLevel.NoEffect, reason);
}

/// <summary>See <see cref="OptionSupport"/>.</summary>
internal enum OptionSupportLevel
{
    Implemented,
    NotYetImplemented,
    NoEffect,
}
