using System.Globalization;
using System.Text;
using Shake.Core.Cluster;
using Shake.Core.Routing;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Writers;

/// <summary>
/// Deletes from a target the keys of some cluster slots (the slots of one source shard, before that shard is synced in
/// full again), keeping the keys that start with a given prefix (Shake's checkpoints). A standalone target is scanned
/// whole and each key's slot computed; a cluster target is asked slot by slot, on the master serving each slot.
/// Keys are read and deleted as bytes, so binary keys are deleted exactly.
/// </summary>
internal sealed class SlotSweep
{
    // Keys read and deleted per request.
    private const int Page = 1000;

    // Slots counted at once on a cluster target: far from a target, one request per slot in turn would take minutes.
    private const int CountWindow = 256;

    private readonly bool[] _swept = new bool[ClusterSlot.Count];
    private readonly byte[] _kept;

    /// <summary>A sweep of <paramref name="slots"/>, keeping keys that start with <paramref name="keptPrefix"/> (none when empty).</summary>
    public SlotSweep(IReadOnlyList<SlotRange> slots, string keptPrefix)
    {
        foreach (var range in slots)
            for (var slot = Math.Max(0, range.Start); slot <= Math.Min(ClusterSlot.Count - 1, range.End); slot++) _swept[slot] = true;
        _kept = Encoding.UTF8.GetBytes(keptPrefix);
    }

    /// <summary>Keys deleted so far.</summary>
    public long Deleted { get; private set; }

    private bool IsSwept(byte[] key) => _swept[ClusterSlot.Of(key)] && !(_kept.Length > 0 && key.AsSpan().StartsWith(_kept));

    /// <summary>
    /// Scans every key of the database <paramref name="send"/> is on (a standalone target) and deletes those of the
    /// swept slots.
    /// </summary>
    public async Task SweepScanAsync(Func<IRespCommand, CancellationToken, Task<RespValue>> send, string endpoint, CancellationToken cancellation)
    {
        var cursor = "0";
        do
        {
            var reply = (await send(new StringCommand(["SCAN", cursor, "COUNT", Page.ToString(CultureInfo.InvariantCulture)]), cancellation)).ThrowIfError(endpoint, "SCAN");
            if (reply.Items.Count != 2) throw new InvalidDataException($"{endpoint} answered SCAN with {reply.Items.Count} items, not a cursor and a list of keys");
            cursor = reply.Items[0].AsString() ?? "0";
            await DeleteAsync(send, endpoint, reply.Items[1].Items.Select(k => k.Bytes).Where(IsSwept).ToList(), cancellation);
        }
        while (cursor != "0");
    }

    /// <summary>
    /// Deletes the keys of the swept slots from a cluster target: <paramref name="sendToSlot"/> sends a command to the
    /// master serving a slot. Slots are counted first, many at once, and only slots holding keys are read.
    /// </summary>
    public async Task SweepSlotsAsync(Func<int, IRespCommand, CancellationToken, Task<RespValue>> sendToSlot, string endpoint, CancellationToken cancellation)
    {
        var slots = Enumerable.Range(0, ClusterSlot.Count).Where(slot => _swept[slot]).ToList();
        for (var start = 0; start < slots.Count; start += CountWindow)
        {
            var window = slots.Skip(start).Take(CountWindow).ToList();
            var counts = await Task.WhenAll(window.Select(slot =>
                sendToSlot(slot, new StringCommand(["CLUSTER", "COUNTKEYSINSLOT", slot.ToString(CultureInfo.InvariantCulture)]), cancellation)));
            for (var i = 0; i < window.Count; i++)
            {
                if (counts[i].ThrowIfError(endpoint, "CLUSTER COUNTKEYSINSLOT").Integer > 0) await SweepSlotAsync(window[i], sendToSlot, endpoint, cancellation);
            }
        }
    }

    private async Task SweepSlotAsync(int slot, Func<int, IRespCommand, CancellationToken, Task<RespValue>> sendToSlot, string endpoint, CancellationToken cancellation)
    {
        // A kept key is returned again by every read of its slot: ask for that many more each time.
        var kept = 0;
        while (true)
        {
            var asked = Page + kept;
            var reply = (await sendToSlot(slot, new StringCommand(["CLUSTER", "GETKEYSINSLOT", slot.ToString(CultureInfo.InvariantCulture), asked.ToString(CultureInfo.InvariantCulture)]), cancellation))
                .ThrowIfError(endpoint, "CLUSTER GETKEYSINSLOT");
            var keys = reply.Items.Select(k => k.Bytes).ToList();
            var doomed = keys.Where(IsSwept).ToList();
            kept = keys.Count - doomed.Count;
            await DeleteAsync((command, ct) => sendToSlot(slot, command, ct), endpoint, doomed, cancellation);
            if (keys.Count < asked || doomed.Count == 0) return;
        }
    }

    private async Task DeleteAsync(Func<IRespCommand, CancellationToken, Task<RespValue>> send, string endpoint, List<byte[]> keys, CancellationToken cancellation)
    {
        if (keys.Count == 0) return;
        var arguments = new ReadOnlyMemory<byte>[keys.Count + 1];
        arguments[0] = "UNLINK"u8.ToArray();
        for (var i = 0; i < keys.Count; i++) arguments[i + 1] = keys[i];
        var reply = (await send(new BytesCommand(arguments), cancellation)).ThrowIfError(endpoint, "UNLINK");
        Deleted += reply.Integer;
    }
}
