namespace Shake.Core.Filters.Functions;

/// <summary>The <c>[filter] function</c> cannot be loaded: its message names the line of the script.</summary>
public sealed class LuaFunctionException(string message) : Exception(message);
