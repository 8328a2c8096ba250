using System.IO.Pipelines;
using Shake.Rdb.Parsing;
using Shake.Rdb.Validation;

namespace Shake.Rdb.Tests.Fixtures;

/// <summary>Parses RDB bytes or files into a <see cref="RecordingHandler"/>.</summary>
public static class RdbFiles
{
    public static RecordingHandler Parse(string path, RdbParserOptions? options = null) => Parse(File.ReadAllBytes(path), options);

    /// <summary>Parses through a real pipe, in chunks of <paramref name="chunk"/> bytes, so items straddle reads.</summary>
    public static RecordingHandler Parse(byte[] data, RdbParserOptions? options = null, int chunk = 4096)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var handler = new RecordingHandler();
        using var parser = new RdbParser<RecordingHandler>(handler, options);
        var writer = Task.Run(async () =>
        {
            for (int i = 0; i < data.Length; i += chunk)
            {
                await pipe.Writer.WriteAsync(data.AsMemory(i, Math.Min(chunk, data.Length - i)));
            }
            await pipe.Writer.CompleteAsync();
        });
        try
        {
            RdbPipeReader.ParseAsync(pipe.Reader, parser).AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            pipe.Reader.Complete();
            writer.GetAwaiter().GetResult();
        }
        return handler;
    }

    /// <summary>
    /// The whole-file validation pass (<see cref="RdbFileValidator"/>) with <paramref name="workers"/> validation
    /// threads, fed through a real pipe in chunks of <paramref name="chunk"/> bytes; returns the key count.
    /// </summary>
    public static long ValidateOnWorkers(byte[] data, int workers, int chunk = 4096)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var writer = Task.Run(async () =>
        {
            for (int i = 0; i < data.Length; i += chunk)
            {
                await pipe.Writer.WriteAsync(data.AsMemory(i, Math.Min(chunk, data.Length - i)));
            }
            await pipe.Writer.CompleteAsync();
        });
        try
        {
            return RdbFileValidator.ValidateAsync(pipe.Reader, new RecordingHandler(), workers, CancellationToken.None).GetAwaiter().GetResult().Entries;
        }
        finally
        {
            pipe.Reader.Complete();
            writer.GetAwaiter().GetResult();
        }
    }

    /// <summary>Parses with the whole input in one buffer (no pipe).</summary>
    public static RecordingHandler ParseWhole(byte[] data, RdbParserOptions? options = null)
    {
        var handler = new RecordingHandler();
        using var parser = new RdbParser<RecordingHandler>(handler, options);
        var status = parser.Parse(new System.Buffers.ReadOnlySequence<byte>(data), isFinalBlock: true, out _, out _);
        if (status == RdbParseStatus.NeedMoreData) throw new InvalidOperationException("parser wants more data");
        return handler;
    }
}
