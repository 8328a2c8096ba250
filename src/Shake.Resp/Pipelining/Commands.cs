using System.Buffers;
using Shake.Resp.Protocol;

namespace Shake.Resp.Pipelining;

/// <summary>A command given as strings (cold paths).</summary>
public readonly struct StringCommand(string[] arguments) : IRespCommand
{
    /// <summary>The arguments, command name first.</summary>
    public string[] Arguments { get; } = arguments;

    /// <inheritdoc />
    public void WriteTo(IBufferWriter<byte> output) => RespCommandWriter.WriteCommand(output, Arguments);

    /// <inheritdoc />
    public override string ToString() => Arguments.Length == 0 ? "" : Arguments[0];
}

/// <summary>
/// A command already encoded as RESP (e.g. taken verbatim from a replication stream), copied as is.
/// The bytes must stay valid until the enqueue call returns.
/// </summary>
public readonly struct EncodedCommand(ReadOnlySequence<byte> encoded) : IRespCommand
{
    /// <summary>The encoded bytes.</summary>
    public ReadOnlySequence<byte> Encoded { get; } = encoded;

    /// <inheritdoc />
    public void WriteTo(IBufferWriter<byte> output) => RespCommandWriter.WriteRaw(output, Encoded);
}

/// <summary>
/// A command already encoded as RESP, as a span: for <see cref="PipelinedClient{TTag}.TryEnqueue{TCommand}"/>, which
/// copies it before returning, so bytes that lie in one segment of a received buffer go out without being sliced.
/// </summary>
public readonly ref struct EncodedSpanCommand : IRespCommand
{
    private readonly ReadOnlySpan<byte> _encoded;

    /// <summary>Wraps <paramref name="encoded"/>, a whole encoded command.</summary>
    public EncodedSpanCommand(ReadOnlySpan<byte> encoded) => _encoded = encoded;

    /// <inheritdoc />
    public void WriteTo(IBufferWriter<byte> output) => output.Write(_encoded);
}

/// <summary>A command given as binary arguments (cold paths, binary-safe keys and values).</summary>
public readonly struct BytesCommand(ReadOnlyMemory<byte>[] arguments) : IRespCommand
{
    /// <summary>The arguments, command name first.</summary>
    public ReadOnlyMemory<byte>[] Arguments { get; } = arguments;

    /// <inheritdoc />
    public void WriteTo(IBufferWriter<byte> output) => RespCommandWriter.WriteCommand(output, Arguments);
}

/// <summary>
/// A command given as argument slices (as read by <see cref="RespReader.TryReadCommand"/>); re-encoded on write.
/// The slices must stay valid until the enqueue call returns.
/// </summary>
public readonly struct SlicesCommand(List<ReadOnlySequence<byte>> arguments) : IRespCommand
{
    /// <summary>The arguments, command name first.</summary>
    public List<ReadOnlySequence<byte>> Arguments { get; } = arguments;

    /// <inheritdoc />
    public void WriteTo(IBufferWriter<byte> output) => RespCommandWriter.WriteCommand(output, Arguments);
}
