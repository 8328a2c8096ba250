namespace Shake.Core.Filters;

/// <summary>A filter decided to stop the sync (the Lua script returned 2 or failed).</summary>
public sealed class FilterStoppedException(string message) : Exception(message);
