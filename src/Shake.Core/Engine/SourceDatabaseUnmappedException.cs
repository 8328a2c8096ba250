namespace Shake.Core.Engine;

/// <summary>
/// The source holds keys in a database the target cannot take (a cluster has db 0 only; a standalone target may have
/// fewer databases) and no filter drops or maps it. Found before anything is written, so a restart cannot help.
/// </summary>
public sealed class SourceDatabaseUnmappedException : InvalidOperationException
{
    /// <summary>Creates the exception with the message naming the database and how to map it.</summary>
    public SourceDatabaseUnmappedException(int database, string message) : base(message) => Database = database;

    /// <summary>The source database that has no place on the target.</summary>
    public int Database { get; }
}
