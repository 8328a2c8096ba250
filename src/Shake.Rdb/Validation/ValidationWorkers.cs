using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Shake.Rdb.Checksums;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Rdb.Validation;

/// <summary>
/// Deep validation on other cores, for a pass that reads a whole file: the parser's thread frames each value and
/// queues it (<see cref="Add"/>), worker threads validate it meanwhile, and a settle step waits for the values of a
/// batch of input (what one parse call was given, <see cref="Begin"/>), validating what is left itself, and throws the
/// first fault in file order, worded as the parser's own validation words it. Two batches are in flight: the one being
/// parsed and the one before it, which <see cref="SettleEarlier"/> settles once the next was parsed, so the parser
/// rarely waits for a worker. The file's checksum is folded by the workers too (<see cref="AddChecksum"/>): the ranges
/// the parser hands over are folded in order by whichever thread holds the fold. With no worker every value is
/// validated, and every range folded, on the spot.
/// </summary>
/// <remarks>
/// What the threads share is kept small and written rarely, because every cache line written by one core and read by
/// another costs a transfer: a queued value is 16 bytes (its batch, where it and its key lie there, its length, its type), values are
/// published and claimed in groups, and the counters sit on lines of their own. Counters only grow (a slot is
/// the index modulo the capacity): at most <see cref="Capacity"/> values are queued and unsettled, so no slot is
/// written while a worker may still read it. A batch's place (0 or 1) alternates; a batch begins only once the one
/// two before it, which had the same place, was settled.
/// </remarks>
internal sealed class ValidationWorkers : IDisposable
{
    /// <summary>
    /// Values queued and not yet settled (two reads of a file, 256 KiB each, hold up to about 6,000 small values); past
    /// it, the parser's thread validates the rest of the batch itself. A power of two.
    /// </summary>
    private const int Capacity = 16384;

    // Spins of an idle worker before it sleeps: long enough to bridge the read of the next batch.
    private const int SpinsBeforeSleep = 2000;

    // Values published to the workers at once (a batch's values are also published when the next batch begins), and
    // claimed by one at once. A worker kept close behind the parser reads queue lines the parser is still writing:
    // publishing every 32 values cost the listpack file about 6% more. Publishing by 1,024 cost more still: a worker
    // idled while the parser framed the next group, and each group, over InlineBacklog as soon as it was published,
    // set the parser's thread validating at once (1.22-1.24x the raw parse against 1.13-1.15x at 256 in one process,
    // turn about; a profile showed the worker spinning a quarter of its time). 128 measured the same as 256.
    private const int PublishEvery = 256, ClaimAtMost = 32;

    // Values published and not yet claimed past which the parser's thread validates values itself (ValidatesHere),
    // looked at every so many values: reading the workers' counter costs a cache-line transfer.
    // 512 measured best on the listpack file (1.14-1.15x the raw parse, against 1.17-1.18x without; 64 to 256 and
    // 2,048 up were no better).
    private const int InlineBacklog = 512;
    private const int LookEvery = 32;

    // Main thread only, kept off the lines the workers read.
    private readonly RdbValueValidator _own = new();
    private readonly ScratchBuffer _keyScratch = new(), _keyCompressed = new();
    private readonly Worker[] _workers;
    private readonly Shared _shared = new();
    private readonly Job[] _jobs;
    private long _settled;      // values before this one were settled
    private long _walked;       // values before this one were found validated: the first value of a group
    private long _currentStart; // the first value of the batch being parsed
    private int _current = -1;  // its place (0 or 1); -1 before the first batch
    private long _batchOffset;
    private long _queued;
    private long _limit = -1;
    private long _published;
    private bool _here;
    private int _untilLook;
    private long _checksumQueued;       // ranges handed over for the checksum
    private long _checksumSettled;      // ranges folded and settled
    private long _currentChecksumStart; // the first range of the batch being parsed
    private RdbMagicKind _magic;

    // What the workers read: written by the parser's thread once per batch or per group of values.
    private sealed class Shared
    {
        public readonly Job[] Jobs = ArrayPool<Job>.Shared.Rent(Capacity);
        public readonly Exception?[] Errors = ArrayPool<Exception?>.Shared.Rent(Capacity);

        // Values are claimed in groups that follow each other; a group's end is written at the slot of its first value
        // once all of it was validated. A slot still holding an end from an earlier lap holds one at most its index.
        public readonly long[] GroupEnds = RentCleared<long>(Capacity);
        public readonly ChecksumRange[] ChecksumRanges = new ChecksumRange[ChecksumCapacity];
        public Counters Counters;
        public readonly Batch[] Batches = [new(), new()];
        public RdbMagicKind Magic;
        public int Failed;
        public volatile bool Stopping;
    }

    // One batch of input, read by the workers. Its pieces of memory (a read usually appends a new piece to the
    // unparsed end of the last) are kept apart, so that a value within one piece reaches the validator as plain
    // memory: slicing a sequence costs more than validating a small value.
    private sealed class Batch
    {
        public const int MaxPieces = 8;
        public ReadOnlySequence<byte> Input;
        public long Offset;
        public readonly ReadOnlyMemory<byte>[] Pieces = new ReadOnlyMemory<byte>[MaxPieces];
        public readonly int[] PieceEnds = new int[MaxPieces];
        public int PieceCount; // 0 when there are more: every value is then sliced from the sequence

        public void Set(in ReadOnlySequence<byte> input, long offset)
        {
            Input = input;
            Offset = offset;
            int count = 0, end = 0;
            foreach (var piece in input)
            {
                if (count == MaxPieces)
                {
                    count = 0;
                    break;
                }
                end += piece.Length;
                Pieces[count] = piece;
                PieceEnds[count++] = end;
            }
            PieceCount = count;
        }

        public void Clear()
        {
            Input = default;
            Array.Clear(Pieces);
        }
    }

    // Ranges of the file for the checksum, at most a few per batch (the parser folds what it consumed at the end of each
    // call and at the end marker): two unsettled batches never hold this many.
    private const int ChecksumCapacity = 16;

    private struct ChecksumRange
    {
        public int At;
        public int Length;
        public byte Batch;
    }

    private struct Job
    {
        public int At;
        public int Length;
        public int KeyAt;
        public byte Type;
        public byte Batch;
    }

    // Each counter on a cache line of its own: workers write Claimed, the parser's thread Published and
    // ChecksumQueued; the holder of the fold (ChecksumBusy) writes Checksum and ChecksumFolded.
    [StructLayout(LayoutKind.Explicit, Size = 6 * 64)]
    private struct Counters
    {
        [FieldOffset(64)] public long Published;
        [FieldOffset(128)] public long Claimed;
        [FieldOffset(192)] public long ChecksumQueued;
        [FieldOffset(256)] public int ChecksumBusy;
        [FieldOffset(320)] public long ChecksumFolded;
        [FieldOffset(328)] public ulong Checksum;
    }

    private sealed class Worker
    {
        public readonly SemaphoreSlim Wake = new(0);
        public readonly ManualResetEventSlim Exited = new(false);
        public int Asleep;

        // NotStarted until the pool runs the worker; Dispose turns a worker that never started into Skipped.
        public int State;
    }

    private const int NotStarted = 0, Running = 1, Skipped = 2;

    /// <summary>
    /// Starts <paramref name="workers"/> workers on the thread pool (0: every value is validated by the caller's
    /// thread). A worker the pool is slow to start only leaves more for the caller's thread.
    /// </summary>
    public ValidationWorkers(int workers)
    {
        _jobs = _shared.Jobs;
        _workers = new Worker[Math.Max(0, workers)];
        for (int i = 0; i < _workers.Length; i++)
        {
            var worker = new Worker();
            _workers[i] = worker;
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Self.Run(state.Worker), (Self: this, Worker: worker), preferLocal: false);
        }
    }

    private static T[] RentCleared<T>(int length)
    {
        var array = ArrayPool<T>.Shared.Rent(length);
        Array.Clear(array);
        return array;
    }

    /// <summary>Worker threads for this machine: one per spare core, at most three.</summary>
    public static int DefaultCount => Math.Clamp(Environment.ProcessorCount - 1, 0, 3);

    /// <summary>
    /// The parser starts on <paramref name="batch"/>, whose first byte is at absolute offset <paramref name="offset"/>;
    /// the batch before it must have been settled unless it was the latest (<see cref="SettleEarlier"/>).
    /// </summary>
    public void Begin(in ReadOnlySequence<byte> batch, long offset)
    {
        if (_current >= 0) Publish(_queued);
        if (_settled < _currentStart || _checksumSettled < _currentChecksumStart)
            throw new InvalidOperationException("a batch began before the one two earlier was settled");
        _current = _current == 0 ? 1 : 0;
        _currentStart = _queued;
        _currentChecksumStart = _checksumQueued;
        _shared.Batches[_current].Set(batch, offset);
        _batchOffset = offset;
        // Places in a batch are ints: a batch past 2 GiB (one huge value) is validated on this thread.
        _limit = _workers.Length == 0 || batch.Length > int.MaxValue ? -1 : _settled + Capacity;
    }

    /// <summary>
    /// Whether the parser should validate the next value itself, in the walk that frames it, instead of queueing it:
    /// while the workers are more than a group of values behind, so that the parser's thread, which would otherwise
    /// wait for them when it settles, shares their work as it goes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ValidatesHere()
    {
        if (--_untilLook > 0) return _here;
        return Look();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Look()
    {
        _untilLook = LookEvery;
        return _here = _published - Volatile.Read(ref _shared.Counters.Claimed) > InlineBacklog;
    }

    /// <summary>
    /// Queues the value at absolute offset <paramref name="valueOffset"/> of the current batch (its key at
    /// <paramref name="keyOffset"/>), or validates it now when nothing is free to take it; throws the fault of a value
    /// validated now.
    /// </summary>
    // Once per value: small enough to be inlined into the parser.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(byte type, in ReadOnlySequence<byte> raw, ReadOnlySpan<byte> key, long keyOffset, long valueOffset, RdbMagicKind magic)
    {
        long queued = _queued;
        if (queued >= _limit || magic != _magic)
        {
            AddOther(type, raw, key, keyOffset, valueOffset, magic);
            return;
        }
        ref var job = ref _jobs[(int)queued & (Capacity - 1)];
        long batchOffset = _batchOffset;
        job.At = (int)(valueOffset - batchOffset);
        job.KeyAt = (int)(keyOffset - batchOffset);
        job.Length = (int)raw.Length;
        job.Type = type;
        job.Batch = (byte)_current;
        _queued = ++queued;
        // No fence: a worker falling asleep just now may miss the group, and settling then validates it.
        if ((queued & (PublishEvery - 1)) == 0) Publish(queued);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddOther(byte type, in ReadOnlySequence<byte> raw, ReadOnlySpan<byte> key, long keyOffset, long valueOffset, RdbMagicKind magic)
    {
        if (magic != _magic)
        {
            // Once, at the first value: the workers read it after the value is published.
            _magic = magic;
            _shared.Magic = magic;
            Add(type, raw, key, keyOffset, valueOffset, magic);
            return;
        }
        try
        {
            _own.Validate(type, raw, magic);
        }
        catch (RdbFormatException e)
        {
            throw RdbValueValidator.Describe(e, key, type, magic, valueOffset);
        }
    }

    private void Publish(long queued)
    {
        _published = queued;
        Volatile.Write(ref _shared.Counters.Published, queued);
        WakeSleepers();
    }

    private void WakeSleepers()
    {
        foreach (var worker in _workers)
        {
            if (Volatile.Read(ref worker.Asleep) != 0 && Interlocked.CompareExchange(ref worker.Asleep, 0, 1) == 1) worker.Wake.Release();
        }
    }

    /// <summary>
    /// Hands over the <paramref name="length"/> bytes of the current batch at absolute offset <paramref name="offset"/>
    /// for the checksum, which covers the ranges in the order they come (<see cref="Checksum"/>).
    /// </summary>
    public void AddChecksum(long offset, long length)
    {
        if (length == 0) return;
        long at = offset - _batchOffset;
        if (_workers.Length == 0 || _checksumQueued - _checksumSettled >= ChecksumCapacity || at + length > int.MaxValue)
        {
            // Folded here, after every range before it, holding the fold like any other folding thread.
            FoldChecksums(_checksumQueued);
            ref var counters = ref _shared.Counters;
            var wait = new SpinWait();
            while (Interlocked.CompareExchange(ref counters.ChecksumBusy, 1, 0) != 0) wait.SpinOnce(sleep1Threshold: -1);
            counters.Checksum = Crc64.Update(counters.Checksum, _shared.Batches[_current].Input.Slice(at, length));
            Volatile.Write(ref counters.ChecksumBusy, 0);
            return;
        }
        _shared.ChecksumRanges[(int)_checksumQueued & (ChecksumCapacity - 1)] = new ChecksumRange { At = (int)at, Length = (int)length, Batch = (byte)_current };
        Volatile.Write(ref _shared.Counters.ChecksumQueued, ++_checksumQueued);
        WakeSleepers();
    }

    /// <summary>The checksum of every range handed over so far, folding what is left on this thread.</summary>
    public ulong Checksum()
    {
        FoldChecksums(_checksumQueued);
        return _shared.Counters.Checksum;
    }

    /// <summary>
    /// Settles every batch but the one begun last: waits until their values are validated and their checksum ranges
    /// folded, doing what nobody took on this thread, then throws the fault of the first corrupt value in file order,
    /// naming its key, type and absolute offset. Afterwards the input of those batches may be released.
    /// </summary>
    public void SettleEarlier() => SettleUpTo(_currentStart, _currentChecksumStart);

    /// <summary>Whether the batch begun last left anything to settle: if not, nothing of its input is needed any more.</summary>
    public bool LatestBatchHasWork => _queued > _currentStart || _checksumQueued > _currentChecksumStart;

    /// <summary><see cref="SettleEarlier"/> for every batch, the last one too: at the end of the input, or at a fault.</summary>
    public void SettleAll() => SettleUpTo(_queued, _checksumQueued);

    private void SettleUpTo(long end, long checksumEnd)
    {
        if (checksumEnd > _checksumSettled)
        {
            FoldChecksums(checksumEnd);
            _checksumSettled = checksumEnd;
        }
        long first = _settled;
        if (end <= first) return;
        Publish(_queued);
        var shared = _shared;
        // Groups end in any order (one worker may finish a later group first), so each is looked at.
        var groupEnds = shared.GroupEnds;
        var wait = new SpinWait();
        long at = _walked;
        while (at < end)
        {
            long groupEnd = Volatile.Read(ref groupEnds[(int)at & (Capacity - 1)]);
            if (groupEnd > at) at = groupEnd;
            else if (Volatile.Read(ref shared.Counters.Claimed) < end && TryClaim(shared, out long from, out long to)) Validate(shared, from, to, _own);
            else wait.SpinOnce(sleep1Threshold: -1);
        }
        _walked = at;
        _settled = end;
        if (Volatile.Read(ref shared.Failed) == 0) return;
        for (long i = first; i < end; i++)
        {
            int slot = (int)i & (Capacity - 1);
            var error = shared.Errors[slot];
            if (error is null) continue;
            if (error is not RdbFormatException format) throw new InvalidOperationException("validating a value failed unexpectedly", error);
            var job = shared.Jobs[slot];
            var batch = shared.Batches[job.Batch];
            throw RdbValueValidator.Describe(format, KeyAt(batch.Input, job.KeyAt), job.Type, shared.Magic, batch.Offset + job.At);
        }
    }

    // Waits until the first `end` ranges are folded, folding them on this thread when no worker holds the fold.
    private void FoldChecksums(long end)
    {
        var wait = new SpinWait();
        while (Volatile.Read(ref _shared.Counters.ChecksumFolded) < end)
        {
            if (!TryFold(_shared)) wait.SpinOnce(sleep1Threshold: -1);
        }
    }

    // Folds every range handed over and not yet folded, in order, unless another thread holds the fold.
    private static bool TryFold(Shared shared)
    {
        ref var counters = ref shared.Counters;
        if (Volatile.Read(ref counters.ChecksumFolded) >= Volatile.Read(ref counters.ChecksumQueued)) return false;
        if (Interlocked.CompareExchange(ref counters.ChecksumBusy, 1, 0) != 0) return false;
        long folded = counters.ChecksumFolded;
        long queued = Volatile.Read(ref counters.ChecksumQueued);
        ulong checksum = counters.Checksum;
        for (; folded < queued; folded++)
        {
            var range = shared.ChecksumRanges[(int)folded & (ChecksumCapacity - 1)];
            checksum = Crc64.Update(checksum, shared.Batches[range.Batch].Input.Slice(range.At, range.Length));
        }
        counters.Checksum = checksum;
        Volatile.Write(ref counters.ChecksumFolded, folded);
        Volatile.Write(ref counters.ChecksumBusy, 0);
        return true;
    }

    // The key of a corrupt value, read again from the batch: copying every key on the way would cost more.
    private byte[] KeyAt(in ReadOnlySequence<byte> batch, int at)
    {
        var c = new RdbCursor(batch.Slice(at), 0, long.MaxValue);
        return RdbStrings.TryRead(ref c, _keyScratch, _keyCompressed, out var key) ? key.ToArray() : "?"u8.ToArray();
    }

    // Claims up to ClaimAtMost published values, [from, to).
    private static bool TryClaim(Shared shared, out long from, out long to)
    {
        long claimed = Volatile.Read(ref shared.Counters.Claimed);
        while (true)
        {
            long published = Volatile.Read(ref shared.Counters.Published);
            if (claimed >= published) break;
            long end = Math.Min(published, claimed + ClaimAtMost);
            long seen = Interlocked.CompareExchange(ref shared.Counters.Claimed, end, claimed);
            if (seen == claimed)
            {
                (from, to) = (claimed, end);
                return true;
            }
            claimed = seen;
        }
        (from, to) = (0, 0);
        return false;
    }

    private static void Validate(Shared shared, long from, long to, RdbValueValidator validator)
    {
        var jobs = shared.Jobs;
        var magic = shared.Magic;
        Batch? batch = null;
        int piece = 0;
        for (long i = from; i < to; i++)
        {
            int slot = (int)i & (Capacity - 1);
            var job = jobs[slot];
            try
            {
                var of = shared.Batches[job.Batch];
                if (!ReferenceEquals(of, batch))
                {
                    batch = of;
                    piece = 0;
                }
                // Values come in file order: the piece holding this one is the last one's or a later one.
                var ends = batch.PieceEnds;
                int count = batch.PieceCount;
                while (piece < count - 1 && job.At >= ends[piece]) piece++;
                int start = piece == 0 ? 0 : ends[piece - 1];
                if (piece < count && job.At >= start && job.At + job.Length <= ends[piece])
                    validator.Validate(job.Type, batch.Pieces[piece].Slice(job.At - start, job.Length), magic);
                else validator.Validate(job.Type, batch.Input.Slice(job.At, job.Length), magic);
            }
            catch (Exception e)
            {
                // Read by the settling thread once it saw this value's group end (written below, after this).
                shared.Errors[slot] = e;
                shared.Failed = 1;
            }
        }
        // After the errors it vouches for.
        Volatile.Write(ref shared.GroupEnds[(int)from & (Capacity - 1)], to);
    }

    private void Run(Worker worker)
    {
        if (Interlocked.CompareExchange(ref worker.State, Running, NotStarted) != NotStarted) return;
        // Made on this thread, so that what it writes for every value lies apart from what the parser's thread writes
        // (objects allocated one after the other by one thread share cache lines).
        var validator = new RdbValueValidator();
        try
        {
            var shared = _shared;
            int idle = 0;
            while (!shared.Stopping)
            {
                // The checksum first: it is folded in order, and settling a batch waits for it.
                if (TryFold(shared))
                {
                    idle = 0;
                    continue;
                }
                if (TryClaim(shared, out long from, out long to))
                {
                    Validate(shared, from, to, validator);
                    idle = 0;
                    continue;
                }
                if (++idle < SpinsBeforeSleep)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Exchange(ref worker.Asleep, 1);
                bool work = Volatile.Read(ref shared.Counters.Claimed) < Volatile.Read(ref shared.Counters.Published)
                    || Volatile.Read(ref shared.Counters.ChecksumFolded) < Volatile.Read(ref shared.Counters.ChecksumQueued);
                // When the flag is already cleared, a wake-up was released for this sleep: it is taken below, none is left over.
                if ((work || shared.Stopping) && Interlocked.CompareExchange(ref worker.Asleep, 0, 1) == 1) { idle = 0; continue; }
                worker.Wake.Wait();
                idle = 0;
            }
        }
        finally
        {
            validator.Dispose();
            worker.Exited.Set();
        }
    }

    /// <summary>Stops the workers (after the values each may be validating) and releases their buffers.</summary>
    public void Dispose()
    {
        _shared.Stopping = true;
        foreach (var worker in _workers)
        {
            if (Interlocked.CompareExchange(ref worker.Asleep, 0, 1) == 1) worker.Wake.Release();
        }
        foreach (var worker in _workers)
        {
            if (Interlocked.CompareExchange(ref worker.State, Skipped, NotStarted) != NotStarted) worker.Exited.Wait();
            worker.Wake.Dispose();
            worker.Exited.Dispose();
        }
        foreach (var batch in _shared.Batches) batch.Clear();
        ArrayPool<Job>.Shared.Return(_shared.Jobs);
        ArrayPool<long>.Shared.Return(_shared.GroupEnds);
        ArrayPool<Exception?>.Shared.Return(_shared.Errors, clearArray: true);
        _own.Dispose();
        _keyScratch.Dispose();
        _keyCompressed.Dispose();
    }
}
