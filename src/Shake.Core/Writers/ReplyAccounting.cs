using Microsoft.Extensions.Logging;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Resp.Protocol;

namespace Shake.Core.Writers;

/// <summary>
/// What a target's reply to one write means for the engine: counters, error logs naming the key, and the fatal cases
/// (BUSYKEY under <c>panic</c>, a refused SELECT). Shared by the standalone and the cluster writer, so both count alike.
/// </summary>
internal sealed class ReplyAccounting(TargetWriterOptions options, EngineStatistics statistics, ILogger logger, Action<Exception> fail)
{
    /// <summary>
    /// Accounts for the reply to a request of <paramref name="kind"/>; <paramref name="key"/> is only read when the reply
    /// is an error (callers may pass it empty otherwise). For <see cref="WriteKind.StringBatch"/>, <paramref name="endOffset"/>
    /// is the number of keys and <paramref name="key"/> the whole encoded request, read when the reply is not a success.
    /// </summary>
    public void Account(WriteKind kind, int db, long endOffset, ReadOnlySpan<byte> key, in RespReply reply, string endpoint)
    {
        switch (kind)
        {
            case WriteKind.Restore:
                if (!reply.IsError)
                {
                    statistics.KeyApplied();
                    if (options.Behavior == RestoreBehavior.Rewrite) statistics.KeyReplaced();
                }
                else if (reply.ErrorKind == RespErrorKind.BusyKey && options.Behavior != RestoreBehavior.Panic)
                {
                    statistics.KeySkippedExisting();
                }
                else if (reply.ErrorKind == RespErrorKind.BusyKey)
                {
                    statistics.KeyFailed(key, db, "the key exists on the target");
                    fail(new TargetKeyExistsException(KeyText.Format(key), db));
                }
                else
                {
                    statistics.KeyFailed(key, db, $"the target refused RESTORE: {reply.GetError().Message}");
                    logger.LogError("{Endpoint} refused RESTORE of key {Key} (db {Db}): {Error}", endpoint, KeyText.Format(key), db, reply.GetError().Message);
                }
                break;
            case WriteKind.SetString:
                if (reply.IsError)
                {
                    statistics.KeyFailed(key, db, $"the target refused SET: {reply.GetError().Message}");
                    logger.LogError("{Endpoint} refused SET of key {Key} (db {Db}): {Error}", endpoint, KeyText.Format(key), db, reply.GetError().Message);
                }
                else if (reply.Head.IsNull)
                {
                    // SET ... NX found the key.
                    if (options.Behavior == RestoreBehavior.Panic)
                    {
                        statistics.KeyFailed(key, db, "the key exists on the target");
                        fail(new TargetKeyExistsException(KeyText.Format(key), db));
                    }
                    else
                    {
                        statistics.KeySkippedExisting();
                    }
                }
                else
                {
                    statistics.KeyApplied();
                    if (options.Behavior == RestoreBehavior.Rewrite) statistics.KeyReplaced();
                }
                break;
            case WriteKind.StringBatch:
                AccountBatch(db, (int)endOffset, key, reply, endpoint);
                break;
            case WriteKind.ConvertedPart:
                if (reply.IsError)
                    logger.LogError("{Endpoint} refused a command of a converted key (db {Db}): {Error}", endpoint, db, reply.GetError().Message);
                break;
            case WriteKind.ConvertedEntry:
                if (reply.ErrorKind == RespErrorKind.BusyKey || (reply.Kind == RespKind.Integer && reply.Head.Integer == 0))
                {
                    if (options.Behavior == RestoreBehavior.Panic)
                    {
                        statistics.KeyFailed(key, db, "the key exists on the target");
                        fail(new TargetKeyExistsException(KeyText.Format(key), db));
                    }
                    else
                    {
                        statistics.KeySkippedExisting();
                    }
                }
                else if (reply.IsError)
                {
                    statistics.KeyFailed(key, db, $"the target refused the last command of its conversion: {reply.GetError().Message}");
                    logger.LogError("{Endpoint} refused the last command of converted key {Key} (db {Db}): {Error}", endpoint, KeyText.Format(key), db, reply.GetError().Message);
                }
                else
                {
                    statistics.KeyConverted();
                }
                break;
            case WriteKind.StreamCommand:
                if (reply.IsError)
                {
                    statistics.CommandFailed();
                    logger.LogError("{Endpoint} refused a forwarded command at offset {Offset}: {Error}", endpoint, endOffset, reply.GetError().Message);
                }
                else
                {
                    statistics.CommandForwarded();
                }
                break;
            case WriteKind.Control:
                if (reply.IsError)
                    fail(new IOException($"{endpoint} refused SELECT {db}: {reply.GetError().Message}"));
                break;
            case WriteKind.FunctionLoad:
                if (reply.IsError) logger.LogError("{Endpoint} refused FUNCTION LOAD of a library from the RDB: {Error}", endpoint, reply.GetError().Message);
                else statistics.FunctionLoaded();
                break;
            case WriteKind.Checkpoint:
                if (reply.IsError)
                    fail(new IOException($"{endpoint} refused the write of the checkpoint: {reply.GetError().Message}"));
                break;
            case WriteKind.ScriptLoad:
                if (reply.IsError) logger.LogError("{Endpoint} refused SCRIPT LOAD of a script from the RDB: {Error}", endpoint, reply.GetError().Message);
                else statistics.ScriptLoaded();
                break;
        }
    }

    // The keys of an encoded MSET/MSETNX: every other argument after the name.
    private static List<ReadOnlyMemory<byte>> BatchKeys(ReadOnlySpan<byte> encoded)
    {
        var keys = new List<ReadOnlyMemory<byte>>();
        var arguments = new List<System.Buffers.ReadOnlySequence<byte>>();
        var copy = new byte[encoded.Length];
        encoded.CopyTo(copy);
        var reader = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>(copy));
        if (!RespReader.TryReadCommand(ref reader, arguments)) return keys;
        for (var i = 1; i < arguments.Count; i += 2) keys.Add(System.Buffers.BuffersExtensions.ToArray(arguments[i]));
        return keys;
    }

    private void AccountBatch(int db, int count, ReadOnlySpan<byte> encoded, in RespReply reply, string endpoint)
    {
        if (reply.IsError)
        {
            // Every key of the batch failed, each by name, as if it had been sent alone.
            var reason = $"the target refused it (in a batch of {count}): {reply.GetError().Message}";
            var named = 0;
            foreach (var key in BatchKeys(encoded))
            {
                statistics.KeyFailed(key.Span, db, reason);
                named++;
            }
            if (count > named) statistics.KeysFailed(count - named);
            logger.LogError("{Endpoint} refused a batch of {Count} string keys (db {Db}: {Keys}): {Error}", endpoint, count, db, StringBatch.DescribeKeys(encoded), reply.GetError().Message);
        }
        else if (reply.Kind == RespKind.Integer && reply.Head.Integer == 0)
        {
            // MSETNX (panic) wrote none of them and does not say which exists: the message lists the whole batch.
            statistics.KeysFailed(count);
            fail(new TargetKeyExistsException($"one of the {count} keys of an MSETNX batch: {StringBatch.DescribeKeys(encoded, count)}", db));
        }
        else
        {
            statistics.KeysApplied(count, options.Behavior == RestoreBehavior.Rewrite);
        }
    }
}
