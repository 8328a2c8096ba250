using System.Text.Json;
using System.Text.Json.Serialization;
using Shake.Core.Engine;
using Shake.Core.Status;

namespace Shake.Host.Status;

/// <summary>The body of <c>GET /</c>: the process and one entry per engine (one per source shard followed).</summary>
/// <param name="Version">Shake's version.</param>
/// <param name="Mode"><c>sync</c> or <c>restore</c>.</param>
/// <param name="StartedAt">When the process started serving.</param>
/// <param name="UptimeSeconds">Seconds since then.</param>
/// <param name="Engines">Each engine's status.</param>
public sealed record StatusDocument(string Version, string Mode, DateTimeOffset StartedAt, double UptimeSeconds, IReadOnlyList<EngineStatus> Engines);

/// <summary>The body of <c>GET /debug/runtime</c>: what a Go profiler port would be asked about, as the .NET runtime tells it.</summary>
/// <param name="GcCollections">Collections so far per generation (0, 1, 2).</param>
/// <param name="HeapBytes">Bytes the GC heap holds now (<see cref="GC.GetTotalMemory"/> without collecting).</param>
/// <param name="HeapCommittedBytes">Memory committed for the GC heap at the last collection.</param>
/// <param name="FragmentedBytes">Free space inside the heap at the last collection.</param>
/// <param name="PauseTimePercentage">Share of time the runtime paused for GC.</param>
/// <param name="TotalPauseMilliseconds">Time paused for GC since start.</param>
/// <param name="AllocatedBytes">Bytes allocated since start.</param>
/// <param name="AllocationBytesPerSecond">Allocation rate since the previous request of this document (since start for the first).</param>
/// <param name="WorkingSetBytes">The process's resident memory.</param>
/// <param name="ThreadPoolThreads">Thread-pool threads.</param>
/// <param name="ThreadPoolQueueLength">Work items waiting for a thread-pool thread.</param>
/// <param name="ThreadPoolCompletedItems">Work items the pool ran since start.</param>
/// <param name="LockContentions">Times a thread waited for a lock since start.</param>
/// <param name="Processors">Processors the process may run on.</param>
/// <param name="Tools">How to look deeper.</param>
public sealed record RuntimeFigures(
    IReadOnlyList<int> GcCollections,
    long HeapBytes,
    long HeapCommittedBytes,
    long FragmentedBytes,
    double PauseTimePercentage,
    double TotalPauseMilliseconds,
    long AllocatedBytes,
    double AllocationBytesPerSecond,
    long WorkingSetBytes,
    int ThreadPoolThreads,
    long ThreadPoolQueueLength,
    long ThreadPoolCompletedItems,
    long LockContentions,
    int Processors,
    string Tools);

/// <summary>Readiness as <c>GET /readyz</c> answers it.</summary>
/// <param name="Ready">True when every engine streams (snapshot applied) and none has failed.</param>
/// <param name="Engines">Each engine's shard and phase.</param>
public sealed record Readiness(bool Ready, IReadOnlyList<string> Engines);

/// <summary>Phases as the status document writes them: <c>full_sync</c>, <c>incremental</c>, ...</summary>
public sealed class PhaseJsonConverter : JsonConverter<EnginePhase>
{
    /// <inheritdoc />
    public override EnginePhase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        foreach (var phase in Enum.GetValues<EnginePhase>())
            if (EngineInstruments.PhaseName(phase) == text) return phase;
        throw new JsonException($"unknown phase {text}");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, EnginePhase value, JsonSerializerOptions options) =>
        writer.WriteStringValue(EngineInstruments.PhaseName(value));
}

/// <summary>Source-generated JSON for the status endpoint (no reflection: trimming and Native AOT keep it whole).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, Converters = [typeof(PhaseJsonConverter)])]
[JsonSerializable(typeof(StatusDocument))]
[JsonSerializable(typeof(RuntimeFigures))]
[JsonSerializable(typeof(Readiness))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
