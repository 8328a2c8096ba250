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
