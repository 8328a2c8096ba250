using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Shake.Core.Verification.Comparing;
using Shake.Core.Verification.Keyspace;
using Shake.Core.Verification.Model;

namespace Shake.Core.Verification.Running;

/// <summary>
/// Compares the keyspaces of a source and a target as the configuration maps them. First pass: SCAN every source
/// node, read type, absolute expiry and value digest of each batch on both sides (one scripted call that also returns
/// small values whole, and one <c>DEBUG DIGEST-VALUE</c> for the bigger ones, per batch and node), read and digest
/// values only where digests cannot decide. Second pass:
/// SCAN the target for keys the source lacks, skipped when the key counts show there can be none. Then the keys still
/// different are re-checked after <see cref="VerifyOptions.RoundDelay"/>, up to <see cref="VerifyOptions.Rounds"/>
/// times, so a target that is only behind is not reported. One instance runs once.
/// </summary>
public sealed class KeyspaceVerifier
{
    private const int ValueChecksAtOnce = 64;

    private readonly IKeyspace _source;
    private readonly IKeyspace _target;
    private readonly DbMapping _mapping;
    private readonly VerifyOptions _options;
    private readonly KeyComparer _comparer;
    private readonly ValueDigester _digester;
    private readonly KeyRateLimiter? _rate;
    private readonly Action<VerifyProgress>? _progress;
    private readonly SemaphoreSlim _valueChecks = new(ValueChecksAtOnce);
    private readonly ConcurrentQueue<Suspect> _suspects = new();
    private readonly ConcurrentDictionary<int, long> _foundOnTarget = new();
    private readonly long[] _firstPass = new long[DifferenceKinds.All.Count];
    private readonly Stopwatch _clock = new();
    private readonly CancellationTokenSource _enough = new();
    private long _sourceKeys, _compared, _filtered, _targetChecked;
    private string _phase = "source";

    /// <summary>Prepares a verification; nothing is read before <see cref="RunAsync"/>.</summary>
    public KeyspaceVerifier(IKeyspace source, IKeyspace target, DbMapping mapping, VerifyOptions options, Action<VerifyProgress>? progress = null)
    {
        _source = source;
        _target = target;
        _mapping = mapping;
        _options = options;
        _comparer = new KeyComparer((long)options.TtlTolerance.TotalMilliseconds);
        _digester = new ValueDigester(options.BigValueThreshold);
        _rate = options.RateLimit > 0 ? new KeyRateLimiter(options.RateLimit) : null;
        _progress = progress;
    }

    /// <summary>Runs the passes and the rounds and returns what is still different.</summary>
    public async Task<VerifyResult> RunAsync(CancellationToken cancellation)
    {
        _clock.Start();
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var progress = ReportProgressAsync(stopProgress.Token);
        try
        {
            var sourceDbs = _source.IsCluster ? [0] : await KeyspaceReader.DatabasesWithKeysAsync(_source, cancellation);
            var comparedDbs = sourceDbs.Where(_mapping.MayPassDb).ToList();
            long total = 0;
            if (_options.Mode == VerifyMode.SampleCount)
                foreach (var db in comparedDbs) total += await KeyspaceReader.CountAsync(_source, db, cancellation);
            var sampler = KeySampler.For(_options, total);

            var truncated = false;
            try
            {
                using var pass = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _enough.Token);
                await RunBatchesAsync(ScanSourceAsync(comparedDbs, sampler), CompareSourceBatchAsync, pass.Token);

                _phase = "target";
                var targetDbs = _target.IsCluster ? [0] : await KeyspaceReader.DatabasesWithKeysAsync(_target, cancellation);
                foreach (var db in targetDbs)
                {
                    var candidates = _mapping.SourceDbsFor(db, sourceDbs);
                    if (candidates.Count == 0) continue;
                    if (sampler.TakesAll && _mapping.OneToOne(comparedDbs.Count)
                        && await KeyspaceReader.CountAsync(_target, db, cancellation) == _foundOnTarget.GetValueOrDefault(db))
                        continue;
                    await RunBatchesAsync(ScanAsync(_target, [db], sampler, countSample: false), (batch, ct) => CheckTargetBatchAsync(batch, candidates, ct), pass.Token);
                }
            }
            catch (OperationCanceledException) when (_enough.IsCancellationRequested && !cancellation.IsCancellationRequested)
            {
                truncated = true;
            }
            foreach (var suspect in _suspects) _firstPass[(int)suspect.Kind]++;

            var suspects = _suspects.ToList();
            var rounds = 0;
            while (!truncated && suspects.Count > 0 && rounds < _options.Rounds)
            {
                rounds++;
                _phase = $"round {rounds}";
                await Task.Delay(_options.RoundDelay, cancellation);
                suspects = await RecheckAsync(suspects, sourceDbs, cancellation);
            }
            var differences = await DescribeAsync(suspects, lengths: !truncated, cancellation);
            return new VerifyResult(_sourceKeys, _compared, _filtered, _targetChecked,
                DifferenceKinds.All.ToDictionary(k => k, k => _firstPass[(int)k]), rounds, differences, _clock.Elapsed,
                _source.Nodes.Concat(_target.Nodes).All(n => n.ServerDigest), truncated);
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progress;
        }
    }

    private async Task ReportProgressAsync(CancellationToken cancellation)
    {
        if (_progress is null) return;
        try
        {
            while (true)
            {
                await Task.Delay(_options.ProgressInterval, cancellation);
                _progress(Snapshot());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private VerifyProgress Snapshot() => new(_phase, Interlocked.Read(ref _sourceKeys), Interlocked.Read(ref _compared) + Interlocked.Read(ref _targetChecked),
        _suspects.Count, _clock.Elapsed);

    private async Task RunBatchesAsync(IAsyncEnumerable<KeyBatch> batches, Func<KeyBatch, CancellationToken, Task> work, CancellationToken cancellation)
    {
        var channel = Channel.CreateBounded<KeyBatch>(new BoundedChannelOptions(_options.Parallelism * 2) { SingleWriter = true });
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in batches.WithCancellation(failed.Token)) await channel.Writer.WriteAsync(batch, failed.Token);
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, CancellationToken.None);
        var workers = Enumerable.Range(0, _options.Parallelism).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in channel.Reader.ReadAllAsync(failed.Token))
                {
                    await work(batch, failed.Token);
                    if (_suspects.Count >= _options.MaxDifferences) await _enough.CancelAsync();
                }
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
        }, CancellationToken.None)).ToList();
        // The producer reports its failure through the channel, which a worker rethrows; the other workers then end
        // with a cancellation that must not hide it.
        try
        {
            await Task.WhenAll([producer, .. workers]);
        }
        catch (OperationCanceledException)
        {
            var failure = workers.Where(w => w.IsFaulted).SelectMany(w => w.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            throw;
        }
    }

    private async IAsyncEnumerable<KeyBatch> ScanSourceAsync(IReadOnlyList<int> dbs, KeySampler sampler)
    {
        await foreach (var batch in ScanAsync(_source, dbs, sampler, countSample: true))
        {
            Interlocked.Add(ref _sourceKeys, batch.Keys.Count);
            yield return batch;
        }
    }

    private async IAsyncEnumerable<KeyBatch> ScanAsync(IKeyspace keyspace, IReadOnlyList<int> dbs, KeySampler sampler, bool countSample,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        foreach (var db in dbs)
            foreach (var node in keyspace.Nodes)
            {
                var cursor = "0";
                do
                {
                    if (countSample && sampler.Done) yield break;
                    var (next, keys) = await node.ScanAsync(db, cursor, _options.BatchSize, cancellation);
                    cursor = next;
                    if (!sampler.TakesAll) keys = keys.Where(k => sampler.Takes(k, countSample)).ToList();
                    if (keys.Count == 0) continue;
                    if (_rate is not null) await _rate.WaitAsync(keys.Count, cancellation);
                    yield return new KeyBatch(db, keys);
                } while (cursor != "0");
            }
    }

    private async Task CompareSourceBatchAsync(KeyBatch batch, CancellationToken cancellation)
    {
        var sourceStates = await KeyspaceReader.ProbeAsync(_source, batch.Db, batch.Keys, cancellation);
        var byTarget = new Dictionary<int, List<int>>();
        for (var i = 0; i < batch.Keys.Count; i++)
        {
            // Deleted or expired since the scan: nothing to compare.
            if (!sourceStates[i].Exists) continue;
            if (!_mapping.TryMap(batch.Db, batch.Keys[i], sourceStates[i].Type, out var targetDb))
            {
                Interlocked.Increment(ref _filtered);
                continue;
            }
            if (!byTarget.TryGetValue(targetDb, out var list)) byTarget[targetDb] = list = [];
            list.Add(i);
        }
        foreach (var (targetDb, indexes) in byTarget)
        {
            var keys = indexes.Count == batch.Keys.Count ? batch.Keys : indexes.Select(i => batch.Keys[i]).ToList();
            var sources = indexes.Count == batch.Keys.Count ? sourceStates : [.. indexes.Select(i => sourceStates[i])];
            var targets = await KeyspaceReader.ProbeAsync(_target, targetDb, keys, cancellation);
            _foundOnTarget.AddOrUpdate(targetDb, _ => targets.Count(t => t.Exists), (_, n) => n + targets.Count(t => t.Exists));
            Interlocked.Add(ref _compared, keys.Count);
            await CompareAllAsync(batch.Db, targetDb, keys, sources, targets, _suspects.Enqueue, cancellation);
        }
    }

    private async Task CheckTargetBatchAsync(KeyBatch batch, IReadOnlyList<int> candidates, CancellationToken cancellation)
    {
        Interlocked.Add(ref _targetChecked, batch.Keys.Count);
        var targets = _mapping.Filters ? await KeyspaceReader.ProbeAsync(_target, batch.Db, batch.Keys, cancellation) : null;
        var found = new bool[batch.Keys.Count];
        foreach (var sourceDb in candidates)
        {
            var exists = await KeyspaceReader.ExistsAsync(_source, sourceDb, batch.Keys, cancellation);
            for (var i = 0; i < found.Length; i++)
                found[i] |= exists[i] && (targets is null || InScope(sourceDb, batch.Keys[i], targets[i], batch.Db));
        }
        List<int>? extra = null;
        for (var i = 0; i < found.Length; i++)
        {
            if (found[i] || _mapping.IsCheckpointKey(batch.Keys[i])) continue;
            // Keys the configuration would not carry from any source database are none of its business.
            if (targets is not null && !candidates.Any(s => InScope(s, batch.Keys[i], targets[i], batch.Db))) continue;
            (extra ??= []).Add(i);
        }
        if (extra is null) return;
        var keys = extra.Select(i => batch.Keys[i]).ToList();
        var states = targets is null ? await KeyspaceReader.ProbeAsync(_target, batch.Db, keys, cancellation) : [.. extra.Select(i => targets[i])];
        for (var i = 0; i < keys.Count; i++)
            if (states[i].Exists) _suspects.Enqueue(new Suspect(-1, batch.Db, keys[i], DifferenceKind.ExtraOnTarget, KeyState.Missing, states[i]));
    }

    private bool InScope(int sourceDb, byte[] key, in KeyState target, int targetDb) =>
        target.Exists && _mapping.TryMap(sourceDb, key, target.Type, out var mapped) && mapped == targetDb;

    private async Task CompareAllAsync(int sourceDb, int targetDb, IReadOnlyList<byte[]> keys, KeyState[] sources, KeyState[] targets, Action<Suspect> report, CancellationToken cancellation)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        List<Task>? checks = null;
        for (var i = 0; i < keys.Count; i++)
        {
            var verdict = _comparer.Compare(sources[i], targets[i], now);
            if (verdict == KeyVerdict.NeedsValueCheck)
            {
                (checks ??= []).Add(CheckValueAsync(sourceDb, targetDb, keys[i], sources[i], targets[i], report, cancellation));
                continue;
            }
            if (KeyComparer.KindOf(verdict) is { } kind) report(new Suspect(sourceDb, targetDb, keys[i], kind, sources[i], targets[i]));
        }
        if (checks is not null) await Task.WhenAll(checks);
    }

    private async Task CheckValueAsync(int sourceDb, int targetDb, byte[] key, KeyState source, KeyState target, Action<Suspect> report, CancellationToken cancellation)
    {
        await _valueChecks.WaitAsync(cancellation);
        try
        {
            var sourceClient = await _source.Nodes[_source.NodeOf(key)].ClientAsync(sourceDb, cancellation);
            var targetClient = await _target.Nodes[_target.NodeOf(key)].ClientAsync(targetDb, cancellation);
            var sourceDigest = _digester.DigestAsync(sourceClient, key, source.Type, cancellation);
            var targetDigest = _digester.DigestAsync(targetClient, key, target.Type, cancellation);
            var (s, t) = (await sourceDigest, await targetDigest);
            // A value that vanished or changed type while it was read is left to the next round.
            if (s is null || t is null)
            {
                report(new Suspect(sourceDb, targetDb, key, DifferenceKind.Value, source, target));
                return;
            }
            var verdict = _comparer.Compare(source.WithValueDigest(s.Value), target.WithValueDigest(t.Value), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (KeyComparer.KindOf(verdict) is { } kind) report(new Suspect(sourceDb, targetDb, key, kind, source, target));
        }
        finally
        {
            _valueChecks.Release();
        }
    }

    private async Task<List<Suspect>> RecheckAsync(List<Suspect> suspects, IReadOnlyList<int> sourceDbs, CancellationToken cancellation)
    {
        var still = new ConcurrentQueue<Suspect>();
        var pairs = new Dictionary<(int Source, int Target), List<byte[]>>();
        foreach (var group in suspects.Where(s => s.SourceDb < 0).GroupBy(s => s.TargetDb))
        {
            var keys = group.Select(s => s.Key).ToList();
            var targets = await KeyspaceReader.ProbeAsync(_target, group.Key, keys, cancellation);
            var owner = new int[keys.Count];
            Array.Fill(owner, -1);
            foreach (var sourceDb in _mapping.SourceDbsFor(group.Key, sourceDbs))
            {
                var exists = await KeyspaceReader.ExistsAsync(_source, sourceDb, keys, cancellation);
                for (var i = 0; i < keys.Count; i++)
                    if (owner[i] < 0 && exists[i]) owner[i] = sourceDb;
            }
            for (var i = 0; i < keys.Count; i++)
            {
                if (!targets[i].Exists) continue;
                if (owner[i] < 0) still.Enqueue(new Suspect(-1, group.Key, keys[i], DifferenceKind.ExtraOnTarget, KeyState.Missing, targets[i]));
                else Add(pairs, (owner[i], group.Key), keys[i]);
            }
        }
        foreach (var suspect in suspects.Where(s => s.SourceDb >= 0)) Add(pairs, (suspect.SourceDb, suspect.TargetDb), suspect.Key);
        foreach (var ((sourceDb, targetDb), keys) in pairs)
            for (var start = 0; start < keys.Count; start += _options.BatchSize)
            {
                var slice = keys.GetRange(start, Math.Min(_options.BatchSize, keys.Count - start));
                if (_rate is not null) await _rate.WaitAsync(slice.Count, cancellation);
                var sources = KeyspaceReader.ProbeAsync(_source, sourceDb, slice, cancellation);
                var targets = KeyspaceReader.ProbeAsync(_target, targetDb, slice, cancellation);
                await CompareAllAsync(sourceDb, targetDb, slice, await sources, await targets, still.Enqueue, cancellation);
            }
        return [.. still];

        static void Add(Dictionary<(int, int), List<byte[]>> pairs, (int, int) pair, byte[] key)
        {
            if (!pairs.TryGetValue(pair, out var list)) pairs[pair] = list = [];
            list.Add(key);
        }
    }

    private async Task<IReadOnlyList<KeyDifference>> DescribeAsync(List<Suspect> suspects, bool lengths, CancellationToken cancellation)
    {
        var described = new KeyDifference[suspects.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, suspects.Count), new ParallelOptions { MaxDegreeOfParallelism = ValueChecksAtOnce, CancellationToken = cancellation }, async (i, ct) =>
        {
            var s = suspects[i];
            if (!lengths)
            {
                described[i] = new KeyDifference(s.SourceDb, s.TargetDb, s.Key, s.Kind, s.Source, s.Target);
                return;
            }
            var sourceLength = s.SourceDb >= 0 && s.Source.Exists ? await LengthAsync(_source, s.SourceDb, s.Key, s.Source.Type, ct) : -1;
            var targetLength = s.Target.Exists ? await LengthAsync(_target, s.TargetDb, s.Key, s.Target.Type, ct) : -1;
            described[i] = new KeyDifference(s.SourceDb, s.TargetDb, s.Key, s.Kind, s.Source, s.Target, sourceLength, targetLength);
        });
        return [.. described.OrderBy(d => d.TargetDb).ThenBy(d => d.Key, ByteOrder.Instance)];
    }

    private static async Task<long> LengthAsync(IKeyspace keyspace, int db, byte[] key, RedisValueType type, CancellationToken cancellation) =>
        await ValueDigester.LengthAsync(await keyspace.Nodes[keyspace.NodeOf(key)].ClientAsync(db, cancellation), key, type, cancellation);

    private sealed record KeyBatch(int Db, List<byte[]> Keys);

    private readonly record struct Suspect(int SourceDb, int TargetDb, byte[] Key, DifferenceKind Kind, KeyState Source, KeyState Target);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
