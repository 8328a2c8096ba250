namespace Shake.Core.Filters;

/// <summary>The Lua filter script cannot be used: it does not load, or defines no <c>filter</c> function.</summary>
public sealed class LuaFilterException(string message, Exception? inner = null) : Exception(message, inner);
