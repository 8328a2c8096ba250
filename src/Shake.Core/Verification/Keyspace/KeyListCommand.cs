using System.Buffers;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Verification.Keyspace;

/// <summary>A command made of fixed leading arguments followed by a selection of keys (e.g. <c>EVALSHA sha 0 k1 k2 …</c>).</summary>
internal readonly struct KeyListCommand(string[] head, IReadOnlyList<byte[]> keys, IReadOnlyList<int> selection) : IRespCommand
{
    public void WriteTo(IBufferWriter<byte> output)
    {
        RespCommandWriter.WriteArrayHeader(output, head.Length + selection.Count);
        foreach (var argument in head) RespCommandWriter.WriteBulk(output, argument);
        for (var i = 0; i < selection.Count; i++) RespCommandWriter.WriteBulk(output, keys[selection[i]]);
    }
}
