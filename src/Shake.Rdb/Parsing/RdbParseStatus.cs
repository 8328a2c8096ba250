namespace Shake.Rdb.Parsing;

/// <summary>Outcome of one <see cref="RdbParser{THandler}.Parse"/> call.</summary>
public enum RdbParseStatus
{
    /// <summary>All complete items were consumed; the next item needs more bytes.</summary>
    NeedMoreData,

    /// <summary>The end marker (and checksum, when the version has one) was read. Bytes after it are not consumed.</summary>
    Completed,

    /// <summary>The handler returned false from <see cref="IRdbHandler.OnEntry"/>.</summary>
    Stopped,
}
