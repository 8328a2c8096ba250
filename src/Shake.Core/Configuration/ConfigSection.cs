using System.Collections.Frozen;
using System.Globalization;
using Shake.Core.Toml;
using Shake.Resp.Connections;

namespace Shake.Core.Configuration;

/// <summary>
/// Typed, checked access to one TOML table of a configuration. Every getter records the key as known, reports
/// wrong types and values as errors (naming key, line and allowed values) and falls back to the default, so one
/// pass collects every problem. Keys never asked for are reported as unknown by <see cref="ReportUnknownKeys"/>.
/// </summary>
internal sealed class ConfigSection
{
    private static readonly System.Collections.Frozen.FrozenDictionary<string, string> Hints = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["auth"] = "password",
        ["passwd"] = "password",
        ["pass"] = "password",
        ["user"] = "username",
        ["addr"] = "address",
        ["host"] = "address",
        ["file_path"] = "filepath",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly TomlTable? _table;
    private readonly List<ConfigDiagnostic> _diagnostics;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public ConfigSection(string name, TomlTable? table, List<ConfigDiagnostic> diagnostics)
    {
        Name = name;
        _table = table;
        _diagnostics = diagnostics;
    }

    /// <summary>The section name (empty for the document root).</summary>
    public string Name { get; }

    public bool Exists => _table is not null;

    public int Line => _table?.Line ?? 0;

    public string PathOf(string key) => Name.Length == 0 ? key : key.Length == 0 ? Name : $"{Name}.{key}";

    public bool Has(string key)
    {
        _known.Add(key);
        return _table?.ContainsKey(key) == true;
    }

    public int LineOf(string key) => _table is not null && _table.TryGetEntry(key, out var entry) ? entry.Line : Line;

    /// <summary>A sub-table; absent gives a section without table. A non-table value is a type error.</summary>
    public ConfigSection Table(string key)
    {
        var entry = Find(key);
        if (entry is null) return new ConfigSection(key, null, _diagnostics);
        if (entry.Value is TomlTable table) return new ConfigSection(PathOf(key), table, _diagnostics);
        TypeError(entry, "a table ([" + PathOf(key) + "])");
        return new ConfigSection(PathOf(key), null, _diagnostics);
    }

    public string String(string key, string fallback, OptionSupport support = default)
    {
        var entry = Find(key);
        if (entry is null) return fallback;
        if (entry.Value is not TomlValue { Kind: TomlKind.String } value)
        {
            TypeError(entry, "a string");
            return fallback;
        }
        var text = (string)value.Value;
        NoteSupport(entry, support, text != fallback, TomlValue.Quote(text));
        return text;
    }

    /// <summary>A string that must be present and not empty.</summary>
    public string RequiredString(string key, string allowed)
    {
        var entry = Find(key);
        if (entry is null)
        {
            Error(key, Line, $"is required; allowed values: {allowed}");
            return "";
        }
        if (entry.Value is not TomlValue { Kind: TomlKind.String } value)
        {
            TypeError(entry, allowed);
            return "";
        }
        var text = (string)value.Value;
        if (text.Length == 0) Error(key, entry.Line, $"must not be empty; allowed values: {allowed}");
        return text;
    }

    /// <summary>A required <c>host:port</c> address.</summary>
    public string Address(string key)
    {
        const string allowed = "host:port, e.g. \"127.0.0.1:6379\" (a cluster: any one node)";
        var address = RequiredString(key, allowed);
        if (address.Length == 0) return address;
        try
        {
            RedisEndpoint.Parse(address);
        }
        catch (FormatException e)
        {
            Error(key, LineOf(key), $"value {TomlValue.Quote(address)} is not allowed ({e.Message}); allowed values: {allowed}");
        }
        return address;
    }

    public T Choice<T>(string key, T fallback, IReadOnlyList<(string Name, T Value)> choices, OptionSupport support = default)
    {
        var allowed = string.Join(", ", choices.Select(c => TomlValue.Quote(c.Name)));
        var entry = Find(key);
        if (entry is null) return fallback;
        if (entry.Value is not TomlValue { Kind: TomlKind.String } value)
        {
            TypeError(entry, allowed);
            return fallback;
        }
        var text = (string)value.Value;
        foreach (var (name, result) in choices)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                NoteSupport(entry, support, !EqualityComparer<T>.Default.Equals(result, fallback), TomlValue.Quote(text));
                return result;
            }
        }
        Error(key, entry.Line, $"value {TomlValue.Quote(text)} is not allowed; allowed values: {allowed}");
        return fallback;
    }

    public bool Bool(string key, bool fallback, OptionSupport support = default)
    {
        var entry = Find(key);
        if (entry is null) return fallback;
        if (entry.Value is not TomlValue { Kind: TomlKind.Boolean } value)
        {
            TypeError(entry, "true, false");
            return fallback;
        }
        var flag = (bool)value.Value;
        NoteSupport(entry, support, flag != fallback, flag ? "true" : "false");
        return flag;
    }

    public long Long(string key, long fallback, long min, long max, OptionSupport support = default)
    {
        var entry = Find(key);
        if (entry is null) return fallback;
        var allowed = DescribeRange(min, max);
        if (entry.Value is not TomlValue { Kind: TomlKind.Integer } value)
        {
            TypeError(entry, allowed);
            return fallback;
        }
        var number = (long)value.Value;
        if (number < min || number > max)
        {
            Error(key, entry.Line, $"value {number.ToString(CultureInfo.InvariantCulture)} is out of range; allowed values: {allowed}");
            return fallback;
        }
        NoteSupport(entry, support, number != fallback, number.ToString(CultureInfo.InvariantCulture));
        return number;
    }

    public int Int(string key, int fallback, int min, int max, OptionSupport support = default) =>
        (int)Long(key, fallback, min, max, support);

    public IReadOnlyList<string> StringList(string key, IReadOnlyList<string>? allowedValues = null, OptionSupport support = default)
    {
        var allowed = allowedValues is null ? "an array of strings" : "an array of " + string.Join(", ", allowedValues.Select(TomlValue.Quote));
        var array = ArrayOf(key, allowed, support);
        if (array is null) return [];
        var result = new List<string>();
        foreach (var item in array.Items)
        {
            if (item is not TomlValue { Kind: TomlKind.String } value)
            {
                Error(key, item.Line, $"has the wrong type: found an element of type {item.Kind.Describe()}; allowed values: {allowed}");
                continue;
            }
            var text = (string)value.Value;
            if (allowedValues is not null)
            {
                var match = allowedValues.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
                if (match is null)
                {
                    Error(key, item.Line, $"value {TomlValue.Quote(text)} is not allowed; allowed values: {allowed}");
                    continue;
                }
                text = match;
            }
            result.Add(text);
        }
        return result;
    }

    public IReadOnlyList<int> IntList(string key, int min, int max, OptionSupport support = default)
    {
        var allowed = "an array of integers from " + DescribeRange(min, max);
        var array = ArrayOf(key, allowed, support);
        if (array is null) return [];
        var result = new List<int>();
        foreach (var item in array.Items)
        {
            if (item is not TomlValue { Kind: TomlKind.Integer } value)
            {
                Error(key, item.Line, $"has the wrong type: found an element of type {item.Kind.Describe()}; allowed values: {allowed}");
                continue;
            }
            var number = (long)value.Value;
            if (number < min || number > max)
            {
                Error(key, item.Line, $"value {number.ToString(CultureInfo.InvariantCulture)} is out of range; allowed values: {allowed}");
                continue;
            }
            result.Add((int)number);
        }
        return result;
    }

    /// <summary>A v3 <c>version</c>: written as a float (<c>6.0</c>), but an integer or string is accepted; kept as text.</summary>
    public string? VersionText(string key)
    {
        var entry = Find(key);
        if (entry is null) return null;
        switch (entry.Value)
        {
            case TomlValue { Kind: TomlKind.Float } f:
                return ((double)f.Value).ToString("0.0##", CultureInfo.InvariantCulture);
            case TomlValue { Kind: TomlKind.Integer } i:
                return ((long)i.Value).ToString(CultureInfo.InvariantCulture);
            case TomlValue { Kind: TomlKind.String } s:
                return (string)s.Value;
            default:
                TypeError(entry, "a Redis version such as 6.0 or \"7.2\"");
                return null;
        }
    }

    public void ReportUnknownKeys()
    {
        if (_table is null) return;
        foreach (var entry in _table.Entries)
        {
            if (_known.Contains(entry.Key)) continue;
            var what = entry.Value is TomlTable ? $"unknown section [{PathOf(entry.Key)}]" : "unknown key";
            var hint = Hints.TryGetValue(entry.Key, out var better) ? $"; did you mean {PathOf(better)}?" : "";
            _diagnostics.Add(new ConfigDiagnostic(ConfigSeverity.Warning, PathOf(entry.Key), entry.Line, $"{what}, ignored{hint}"));
        }
    }

    public void Error(string key, int line, string message) =>
        _diagnostics.Add(new ConfigDiagnostic(ConfigSeverity.Error, PathOf(key), line, message));

    public void Report(ConfigSeverity severity, string key, int line, string message) =>
        _diagnostics.Add(new ConfigDiagnostic(severity, PathOf(key), line, message));

    private TomlEntry? Find(string key)
    {
        _known.Add(key);
        return _table is not null && _table.TryGetEntry(key, out var entry) ? entry : null;
    }

    private TomlArray? ArrayOf(string key, string allowed, OptionSupport support)
    {
        var entry = Find(key);
        if (entry is null) return null;
        if (entry.Value is not TomlArray array)
        {
            TypeError(entry, allowed);
            return null;
        }
        NoteSupport(entry, support, array.Items.Count > 0, $"an array of {array.Items.Count} element{(array.Items.Count == 1 ? "" : "s")}");
        return array;
    }

    private void TypeError(TomlEntry entry, string allowed)
    {
        var found = entry.Value is TomlValue value ? $"{value.Kind.Describe()} {value}" : entry.Value.Kind.Describe();
        Error(entry.Key, entry.Line, $"has the wrong type: found {found}; allowed values: {allowed}");
    }

    private void NoteSupport(TomlEntry entry, OptionSupport support, bool changed, string shown)
    {
        if (!changed) return;
        switch (support.Level)
        {
            case OptionSupportLevel.NotYetImplemented:
                Report(ConfigSeverity.NotImplemented, entry.Key, entry.Line, $"is set to {shown}, but Shake does not implement this option yet; it has no effect");
                break;
            case OptionSupportLevel.NoEffect:
                Report(ConfigSeverity.Warning, entry.Key, entry.Line, $"is set to {shown}, which has no effect in Shake: {support.Reason}");
                break;
        }
    }

    private static string DescribeRange(long min, long max) =>
        max == long.MaxValue ? $"integers from {min.ToString(CultureInfo.InvariantCulture)}"
            : $"integers from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";
}
