namespace Shake.Core.Filters.Functions;

/// <summary>A command a <c>[filter] function</c> emitted with <c>shake.call(db, argv)</c>: its database and its RESP encoding.</summary>
/// <param name="Db">The database the command is written to (before the engine's database map).</param>
/// <param name="Encoded">The whole command as an array of bulk strings; owned, so it may be queued.</param>
public readonly record struct EmittedCommand(int Db, byte[] Encoded);
