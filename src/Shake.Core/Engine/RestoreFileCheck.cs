using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Shake.Core.Writers;
using Shake.Rdb;
using Shake.Rdb.Validation;

namespace Shake.Core.Engine;

/// <summary>
/// The checks of restore mode around the RDB file: by default a validation pass over the whole file before anything
/// is connected or written, so a corrupt file leaves the target untouched; with <c>restore_single_pass</c>, the
/// wording of a failure that stops the run after some keys were written.
/// </summary>
internal static class RestoreFileCheck
{
    /// <summary>Validates the whole file; throws <see cref="InvalidDataException"/> naming the corrupt key and offset.</summary>
    public static async Task ValidateAsync(string path, ILogger logger, CancellationToken cancellation)
    {
        logger.LogInformation("validating {Path} before the first write (set [advanced] restore_single_pass = true to read it only once)", path);
        var started = Stopwatch.GetTimestamp();
        RdbFileValidation result;
        try
        {
            result = await RdbFileValidator.ValidateAsync(path, cancellation);
        }
        catch (RdbFormatException e)
        {
            throw new InvalidDataException($"the RDB file '{path}' is corrupt; nothing was written: {e.Message}", e);
        }
        logger.LogInformation("{Path} is valid: {Keys} keys, {Bytes} bytes, checked in {Seconds:F1} s", path, result.Entries, result.Bytes, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// A restore that stopped on a bad file after writing some keys (a single pass, or a file that changed after it was
    /// validated): once what was sent is confirmed, an error that says the copy is partial and how many keys it holds.
    /// </summary>
    public static async Task<InvalidDataException> PartialAsync(Exception error, ITargetWriter writer, EngineStatistics statistics, CancellationToken cancellation)
    {
        try
        {
            await writer.DrainAsync(cancellation);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The count below is then a lower bound; the file's error is the one to report.
        }
        return new InvalidDataException($"{error.Message}; the restore stopped after {statistics.Snapshot().KeysWritten} keys were written: the target holds a partial copy", error);
    }
}
