using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Shake.Core.Checkpoints;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Writers;

// Checkpointed stream: with a StreamCheckpoint started, forwarded commands are queued in MULTI … EXEC transactions, each
// ending with the checkpoint's update, so the target applies the commands and records the offset they reach in one step.
// A restart reads that offset back: nothing is applied twice, nothing is lost. A transaction is committed at every flush
// of the stream consumer (once per buffer read from the source) and after MaxTransactionCommands, never inside a
// source MULTI…EXEC block, whose own MULTI and EXEC are dropped (its commands sit whole inside Shake's transaction).
public sealed partial class TargetWriter
{
    private static readonly byte[] MultiBytes = "*1\r\n$5\r\nMULTI\r\n"u8.ToArray();
    private static readonly byte[] ExecBytes = "*1\r\n$4\r\nEXEC\r\n"u8.ToArray();
    private static readonly byte[] DiscardBytes = "*1\r\n$7\r\nDISCARD\r\n"u8.ToArray();

    // A transaction runs whole on the target, holding its event loop: long ones would delay everything behind them.
    // The position is exact after any command (the forwarder counts its bytes before handing it over), so a long buffer
    // is cut into several transactions.
    private const int MaxTransactionCommands = 128;

    private StreamCheckpoint? _checkpoint;
    private TargetCommandSet? _commands;
    private bool _transactionOpen;
    private int _transactionCommands;
    // The newest transaction's completion (what WhenWrittenConfirmedAsync waits for), and those sent with their EXEC,
    // completed in order as the EXEC replies arrive.
    private TaskCompletionSource? _transactionApplied;
    private readonly System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource> _committing = new();
    private readonly HashSet<string> _refusedCommands = new(StringComparer.Ordinal);

    private bool Checkpointing => _checkpoint is { Active: true };

    // Commands the target refuses while queuing would abort a whole transaction: they are checked against its table.
    private void UseCheckpoint(TargetCommandSet? commands)
    {
        if (_options.Checkpoint is null) return;
        _checkpoint = _options.Checkpoint;
        _commands = commands;
        if (commands is null) _logger.LogWarning("{Target} did not list its commands (COMMAND): a forwarded command it refuses would abort its whole transaction", Endpoint);
    }

    private enum StreamVerdict
    {
        Forward,
        Dropped,
    }

    // MULTI and EXEC of the source are dropped (the block stays whole inside Shake's transaction); a command the target
    // would refuse while queuing is not sent (it would fail there anyway, and abort the transaction).
    private StreamVerdict Screen(in CommandHead head, long endOffset)
    {
        if (head.Name.Length == 5 && Ascii.EqualsIgnoreCase(head.Name, "MULTI"u8)) return StreamVerdict.Dropped;
        if (head.Name.Length == 4 && Ascii.EqualsIgnoreCase(head.Name, "EXEC"u8)) return StreamVerdict.Dropped;
        if (_commands is null || _commands.Accepts(head.Name, head.FirstArgument, head.ArgumentCount)) return StreamVerdict.Forward;
        _statistics.CommandFailed();
        var name = Encoding.UTF8.GetString(head.Name).ToUpperInvariant();
        if (_refusedCommands.Add(name))
            _logger.LogError("{Target} does not accept {Command} with {Count} arguments (unknown there, or another arity): not sent (offset {Offset}; further ones are counted as failed commands, not logged)", Endpoint, name, head.ArgumentCount - 1, endOffset);
        return StreamVerdict.Dropped;
    }

    private void WriteQueued(in ReadOnlySequence<byte> encoded, int targetDb, long endOffset)
    {
        Span<byte> scratch = stackalloc byte[512];
        if (CommandHead.TryRead(encoded, scratch, out var head) && Screen(head, endOffset) == StreamVerdict.Dropped) return;
        OpenTransaction();
        Select(targetDb);
        Enqueue(new WriteTag(WriteKind.QueuedCommand, null, 0, endOffset), new EncodedCommand(encoded));
        if (++_transactionCommands >= MaxTransactionCommands) CommitOrBeat();
    }

    private bool TryWriteQueued(ReadOnlySpan<byte> encoded, int targetDb, long endOffset)
    {
        if (_backlog is not null || targetDb != _currentDb) return false;
        if (CommandHead.TryRead(encoded, out var head) && Screen(head, endOffset) == StreamVerdict.Dropped) return true;
        if (!_transactionOpen)
        {
            if (!_client.TryEnqueue(new WriteTag(WriteKind.TransactionControl, null, 0, 0), new EncodedSpanCommand(MultiBytes))) return false;
            Opened();
        }
        if (!_client.TryEnqueue(new WriteTag(WriteKind.QueuedCommand, null, 0, endOffset), new EncodedSpanCommand(encoded))) return false;
        if (++_transactionCommands >= MaxTransactionCommands) CommitOrBeat();
        return true;
    }

    private void OpenTransaction()
    {
        if (_transactionOpen) return;
        Enqueue(new WriteTag(WriteKind.TransactionControl, null, 0, 0), new EncodedCommand(new ReadOnlySequence<byte>(MultiBytes)));
        Opened();
    }

    private void Opened()
    {
        _transactionOpen = true;
        _transactionCommands = 0;
        // The whole transaction is one request for the confirmed offset: bytes skipped meanwhile (PING, SELECT) must not
        // count as applied before its EXEC is answered.
        _offsets?.Sent(0);
        Volatile.Write(ref _transactionApplied, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    // At a flush: commit the open transaction with the checkpoint of where the stream stands; when none is open and
    // nothing was written for a while, write the checkpoint alone (its time is the heartbeat other syncs read).
    private void CommitOrBeat()
    {
        if (!Checkpointing) return;
        var position = _checkpoint!.Position!;
        if (position.InTransaction) return;
        if (_transactionOpen)
        {
            Select(0);
            Enqueue(new WriteTag(WriteKind.TransactionControl, null, 0, 0), _checkpoint.Update(position.Offset, position.Database));
            if (Volatile.Read(ref _transactionApplied) is { } applied) _committing.Enqueue(applied);
            Enqueue(new WriteTag(WriteKind.TransactionCommit, null, 0, _transactionCommands, 0, position.Offset, 0), new EncodedCommand(new ReadOnlySequence<byte>(ExecBytes)));
            _transactionOpen = false;
            _checkpoint.MarkWritten();
            return;
        }
        if (!_checkpoint.IsDue(_checkpoint.Options.HeartbeatInterval)) return;
        Select(0);
        Enqueue(new WriteTag(WriteKind.Checkpoint, null, 0, 0), _checkpoint.Update(position.Offset, position.Database));
        _checkpoint.MarkWritten();
    }

    // The stream stops inside a source block: its commands must not be applied without the rest (DISCARD keeps the
    // checkpoint in the target at the last committed offset).
    private void DiscardOpenTransaction()
    {
        if (!_transactionOpen) return;
        Enqueue(new WriteTag(WriteKind.TransactionControl, null, 0, 0), new EncodedCommand(new ReadOnlySequence<byte>(DiscardBytes)));
        _transactionOpen = false;
        Volatile.Read(ref _transactionApplied)?.TrySetResult();
        _logger.LogInformation("the stream stopped inside a MULTI/EXEC block of the source: its queued commands were discarded; the checkpoint stays at the last whole transaction");
    }

    // Replies of the checkpointed stream; true when handled here.
    private bool OnTransactionReply(in WriteTag tag, in RespReply reply)
    {
        switch (tag.Kind)
        {
            case WriteKind.QueuedCommand:
                if (reply.IsError)
                    _logger.LogError("{Target} refused to queue the command at offset {Offset}: {Error} (its transaction will be refused)", Endpoint, tag.EndOffset, reply.GetError().Message);
                return true;
            case WriteKind.TransactionControl:
                if (reply.IsError)
                    _logger.LogError("{Target} refused a command of Shake's transaction: {Error}", Endpoint, reply.GetError().Message);
                return true;
            case WriteKind.TransactionCommit:
                Committed(tag, reply);
                return true;
            default:
                return false;
        }
    }

    private void Committed(in WriteTag tag, in RespReply reply)
    {
        _committing.TryDequeue(out var applied);
        if (reply.IsError || reply.Head.IsNull)
        {
            var why = reply.IsError ? reply.GetError().Message : "EXEC answered nil";
            Fail(new IOException($"{Endpoint} refused the transaction of {tag.KeyLength} commands ending at offset {tag.EndOffset}: {why}; none of it was applied and the checkpoint in the target still names the last applied offset, so the next start continues from there"));
            applied?.TrySetResult();
            return;
        }
        // One element per queued command, SELECTs and the checkpoint update included; forwarded commands are counted.
        var reader = new SequenceReader<byte>(reply.Raw);
        RespReader.TryReadToken(ref reader, out var header);
        var elements = header.ChildCount;
        long failed = 0;
        string? firstError = null;
        for (long i = 0; i < elements; i++)
        {
            if (!RespReader.TryReadReply(ref reader, out var element)) break;
            if (!element.IsError) continue;
            if (i == elements - 1)
            {
                Fail(new IOException($"{Endpoint} refused the checkpoint update at offset {tag.EndOffset}: {element.GetError().Message}"));
                break;
            }
            failed++;
            firstError ??= element.GetError().Message;
        }
        for (var i = 0; i < tag.KeyLength - failed; i++) _statistics.CommandForwarded();
        for (var i = 0; i < failed; i++) _statistics.CommandFailed();
        if (firstError is not null)
            _logger.LogError("{Endpoint} refused {Count} forwarded commands of the transaction ending at offset {Offset}: {Error}", Endpoint, failed, tag.EndOffset, firstError);
        _offsets?.Confirmed(tag.EndOffset);
        applied?.TrySetResult();
    }

    // After a fatal error no EXEC reply comes: nobody may wait for one.
    private void ReleaseTransactionWaiters()
    {
        Volatile.Read(ref _transactionApplied)?.TrySetResult();
        while (_committing.TryDequeue(out var applied)) applied.TrySetResult();
    }

    private async Task WaitForOpenTransactionAsync(CancellationToken cancellation)
    {
        if (Volatile.Read(ref _transactionApplied) is { } applied) await applied.Task.WaitAsync(cancellation);
    }
}
