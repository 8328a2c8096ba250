using System.Buffers;
using System.Globalization;
using System.Text;

namespace Shake.Resp.Protocol;

/// <summary>
/// An owned, fully materialized RESP value for cold paths (handshake, INFO, CLUSTER NODES, tests).
/// Maps and attributes are kept as flat key, value, key, value lists in wire order.
/// </summary>
public sealed class RespValue
{
    private static readonly RespValue[] NoItems = [];

    private RespValue(RespKind kind, bool isNull, long integer, byte[] bytes, RespValue[] items, RespValue[]? attributes)
    {
        Kind = kind;
        IsNull = isNull;
        Integer = integer;
        Bytes = bytes;
        Items = items;
        Attributes = attributes;
    }

    /// <summary>The frame type.</summary>
    public RespKind Kind { get; }

    /// <summary>True for RESP3 null and RESP2 null bulk strings / arrays.</summary>
    public bool IsNull { get; }

    /// <summary>The integer of an <see cref="RespKind.Integer"/>; 1/0 for a boolean.</summary>
    public long Integer { get; }

    /// <summary>The payload of string-like kinds (for verbatim strings without the <c>fmt:</c> prefix); empty otherwise.</summary>
    public byte[] Bytes { get; }

    /// <summary>Children of aggregates (maps flattened as key, value pairs); empty otherwise.</summary>
    public IReadOnlyList<RespValue> Items { get; }

    /// <summary>RESP3 attributes that preceded this value (flattened key, value pairs), or null.</summary>
    public IReadOnlyList<RespValue>? Attributes { get; }

    /// <summary>The 3-letter format of a verbatim string (e.g. <c>txt</c>); null otherwise.</summary>
    public string? VerbatimFormat { get; private init; }

    /// <summary>True for error replies.</summary>
    public bool IsError => Kind.IsError();

    /// <summary>Builds a bulk string value (used by tests and fakes).</summary>
    public static RespValue BulkString(byte[]? bytes) =>
        bytes is null ? new RespValue(RespKind.BulkString, true, 0, [], NoItems, null) : new RespValue(RespKind.BulkString, false, 0, bytes, NoItems, null);

    internal static RespValue FromScalar(in RespToken token)
    {
        if (token.IsNull) return new RespValue(token.Kind, true, 0, [], NoItems, null);
        if (token.Kind == RespKind.VerbatimString)
        {
            var all = token.Payload.ToArray();
            return new RespValue(token.Kind, false, 0, all[4..], NoItems, null) { VerbatimFormat = Encoding.ASCII.GetString(all, 0, 3) };
        }
        return new RespValue(token.Kind, false, token.Integer, token.Kind.IsAggregate() ? [] : token.Payload.ToArray(), NoItems, null);
    }

    internal static RespValue Aggregate(RespKind kind, RespValue[] items) => new(kind, false, 0, [], items, null);

    internal RespValue WithAttributes(RespValue[] attributes) =>
        new(Kind, IsNull, Integer, Bytes, (RespValue[])Items, attributes) { VerbatimFormat = VerbatimFormat };

    /// <summary>The value as text: strings and errors decoded as UTF-8, integers and booleans formatted; null for null.</summary>
    public string? AsString() => IsNull ? null : Kind switch
    {
        RespKind.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        RespKind.Boolean => Integer != 0 ? "true" : "false",
        _ when Kind.IsAggregate() => throw new InvalidOperationException($"a {Kind} has no single text value"),
        _ => Encoding.UTF8.GetString(Bytes),
    };

    /// <summary>The value as an integer (integers, booleans, and strings holding a decimal integer).</summary>
    public long AsInt64()
    {
        if (Kind is RespKind.Integer or RespKind.Boolean) return Integer;
        if (!IsNull && !Kind.IsAggregate() && long.TryParse(Bytes, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) return v;
        throw new FormatException($"a {Kind} reply '{this}' is not an integer");
    }

    /// <summary>The value as a double (RESP3 doubles, and strings such as ZSCORE replies; <c>inf</c>/<c>-inf</c>/<c>nan</c> accepted).</summary>
    public double AsDouble()
    {
        if (Kind == RespKind.Integer) return Integer;
        var text = AsString() ?? throw new FormatException("a null reply is not a number");
        return text switch
        {
            "inf" or "+inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            "nan" or "-nan" => double.NaN,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The error of an error reply.</summary>
    public RespError AsError() => IsError ? RespError.Parse(AsString() ?? "") : throw new InvalidOperationException($"a {Kind} reply is not an error");

    /// <summary>Returns this value, or throws <see cref="RedisServerException"/> when it is an error reply.</summary>
    public RespValue ThrowIfError(string? endpoint = null, string? command = null) =>
        IsError ? throw new RedisServerException(AsError(), endpoint, command) : this;

    /// <summary>The items of an aggregate decoded as strings (for arrays of bulk strings).</summary>
    public string?[] AsStrings() => Items.Select(i => i.AsString()).ToArray();

    /// <summary>A readable rendering for messages and debugging.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Render(text);
        return text.ToString();
    }

    private void Render(StringBuilder text)
    {
        if (IsNull)
        {
            text.Append("(nil)");
            return;
        }
        if (Kind.IsAggregate())
        {
            text.Append(Kind switch { RespKind.Map => '{', RespKind.Set => '~', RespKind.Push => '>', _ => '[' }).Append(Kind == RespKind.Set || Kind == RespKind.Push ? "[" : "");
            for (var i = 0; i < Items.Count; i++)
            {
                if (i > 0) text.Append(Kind == RespKind.Map && i % 2 == 1 ? ": " : ", ");
                Items[i].Render(text);
            }
            text.Append(Kind == RespKind.Map ? '}' : ']');
            return;
        }
        text.Append(Kind switch
        {
            RespKind.Error or RespKind.BulkError => "(error) " + AsString(),
            RespKind.BulkString or RespKind.VerbatimString => "\"" + AsString() + "\"",
            _ => AsString(),
        });
    }
}
