using System.Globalization;
using Microsoft.Extensions.Logging;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Core.Replication;

/// <summary>
/// The replica side of Redis replication on an authenticated <see cref="RedisConnection"/>: the handshake
/// (PING, REPLCONF listening-port, REPLCONF capa, REPLCONF version, PSYNC with retry on -LOADING/-NOMASTERLINK) and
/// REPLCONF ACK.
/// After <see cref="HandshakeAsync"/> the caller owns <see cref="RedisConnection.Input"/>: the RDB transfer header,
/// the payload and the command stream follow there.
/// </summary>
public sealed class ReplicationClient
{
    private readonly RedisConnection _connection;
    private readonly ReplicationClientOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>Wraps a connected (and authenticated) connection to the source.</summary>
    public ReplicationClient(RedisConnection connection, ReplicationClientOptions options, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _logger = logger;
    }

    private string Endpoint => _connection.Endpoint.ToString();

    /// <summary>Runs the handshake and returns the PSYNC answer. Keep-alive newlines before the answer are skipped.</summary>
    public async Task<PsyncReply> HandshakeAsync(CancellationToken cancellation)
    {
        var pong = await RequestAsync(["PING"], "the PING reply", cancellation);
        if (pong.StartsWith("-NOAUTH", StringComparison.Ordinal) || pong.StartsWith("-NOPERM", StringComparison.Ordinal))
            throw new UnauthorizedAccessException($"{Endpoint} refused PING: {pong[1..]} (check the source username/password and that the user may run PSYNC/REPLCONF)");
        await ExpectOkAsync(["REPLCONF", "listening-port", _options.ListeningPort.ToString(CultureInfo.InvariantCulture)], cancellation);
        if (_options.AcceptDiskless) await ExpectOkAsync(["REPLCONF", "capa", "eof", "capa", "psync2"], cancellation);
        else await ExpectOkAsync(["REPLCONF", "capa", "psync2"], cancellation);
        if (_options.AnnouncedVersion is { } version) await AnnounceVersionAsync(version, cancellation);

        var id = _options.ReplicationId ?? "?";
        // A replica asks for the first byte it lacks: its processed offset + 1.
        var offset = _options.ReplicationId is null ? "-1" : (_options.Offset + 1).ToString(CultureInfo.InvariantCulture);
        var delay = _options.RetryInitialDelay;
        var deadline = DateTime.UtcNow + _options.RetryTimeout;
        while (true)
        {
            var reply = await RequestAsync(["PSYNC", id, offset], "the PSYNC reply", cancellation);
            var parsed = ParsePsyncReply(reply, _options.ReplicationId, _options.Offset, Endpoint);
            if (parsed is not null) return parsed;
            // -LOADING / -NOMASTERLINK: the source will be able to serve us shortly.
            if (DateTime.UtcNow + delay > deadline)
                throw new TimeoutException($"{Endpoint} kept refusing PSYNC for {_options.RetryTimeout}: {reply[1..]}");
            _logger.LogWarning("{Endpoint} answered PSYNC with {Reply}; retrying in {Delay} ms", Endpoint, reply, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, cancellation);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.RetryMaxDelay.Ticks));
        }
    }

    /// <summary>
    /// Interprets a PSYNC answer: the reply for FULLRESYNC/CONTINUE, null for a retryable refusal (-LOADING, -NOMASTERLINK),
    /// an exception naming the answer otherwise.
    /// </summary>
    public static PsyncReply? ParsePsyncReply(string reply, string? requestedId, long requestedOffset, string endpoint)
    {
        var parts = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 0 && parts[0] == "+FULLRESYNC")
        {
            if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start))
                throw new InvalidDataException($"{endpoint} sent a malformed FULLRESYNC reply: '{reply}'");
            return new PsyncReply(true, parts[1], start);
        }
        if (parts.Length > 0 && parts[0] == "+CONTINUE")
        {
            if (requestedId is null) throw new InvalidDataException($"{endpoint} answered CONTINUE to a full sync request");
            return new PsyncReply(false, parts.Length > 1 ? parts[1] : requestedId, requestedOffset);
        }
        if (reply.StartsWith("-LOADING", StringComparison.Ordinal) || reply.StartsWith("-NOMASTERLINK", StringComparison.Ordinal)) return null;
        if (reply.StartsWith('-')) throw new IOException($"{endpoint} refused PSYNC: {reply[1..]}");
        throw new InvalidDataException($"{endpoint} sent '{reply}' where Shake expected +FULLRESYNC or +CONTINUE");
    }

    /// <summary>
    /// Reads the RDB transfer header (<c>$len</c> or <c>$EOF:mark</c>) from <paramref name="input"/>, skipping
    /// keep-alive newlines (the source sends one a second while it prepares the snapshot, so silence is not waited out here).
    /// </summary>
    public static async Task<RdbTransfer> ReadTransferHeaderAsync(System.IO.Pipelines.PipeReader input, string endpoint, Action? onKeepAlive, CancellationToken cancellation)
    {
        var line = await ReplicationLineReader.ReadLineAsync(input, endpoint, "the RDB transfer header", onKeepAlive, Timeout.InfiniteTimeSpan, cancellation);
        return RdbTransfer.Parse(line, endpoint);
    }

    /// <summary>Sends <c>REPLCONF ACK offset</c> (no reply is expected). Safe to call from several tasks.</summary>
    public async Task SendAckAsync(long offset, CancellationToken cancellation)
    {
        await _writeGate.WaitAsync(cancellation);
        try
        {
            RespCommandWriter.WriteCommand(_connection.Output, "REPLCONF", "ACK", offset.ToString(CultureInfo.InvariantCulture));
            await _connection.Output.FlushAsync(cancellation);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task AnnounceVersionAsync(string version, CancellationToken cancellation)
    {
        var reply = await RequestAsync(["REPLCONF", "version", version], "the REPLCONF version reply", cancellation);
        if (reply == "+OK") return;
        // Redis (and Valkey before 8.0) do not know the option; they serve replicas without it as before.
        if (reply.StartsWith("-ERR", StringComparison.Ordinal) && reply.Contains("version", StringComparison.OrdinalIgnoreCase))
        {
            _logger.LogDebug("{Endpoint} does not take REPLCONF version ({Reply}); continuing without it", Endpoint, reply);
            return;
        }
        throw new IOException($"{Endpoint} answered REPLCONF version {version} with '{reply}'");
    }

    private async Task ExpectOkAsync(string[] command, CancellationToken cancellation)
    {
        var reply = await RequestAsync(command, $"the {command[0]} {command[1]} reply", cancellation);
        var delay = _options.RetryInitialDelay;
        var deadline = DateTime.UtcNow + _options.RetryTimeout;
        while (reply.StartsWith("-LOADING", StringComparison.Ordinal) && DateTime.UtcNow + delay < deadline)
        {
            // A source still loading its dataset refuses everything for a while.
            _logger.LogWarning("{Endpoint} is loading its dataset; retrying {Command} in {Delay} ms", Endpoint, command[0], (int)delay.TotalMilliseconds);
            await Task.Delay(delay, cancellation);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.RetryMaxDelay.Ticks));
            reply = await RequestAsync(command, $"the {command[0]} {command[1]} reply", cancellation);
        }
        if (reply != "+OK") throw new IOException($"{Endpoint} answered {string.Join(' ', command)} with '{reply}'");
    }

    private async Task<string> RequestAsync(string[] command, string waitingFor, CancellationToken cancellation)
    {
        await _writeGate.WaitAsync(cancellation);
        try
        {
            RespCommandWriter.WriteCommand(_connection.Output, command);
            await _connection.Output.FlushAsync(cancellation);
        }
        finally
        {
            _writeGate.Release();
        }
        var line = await ReplicationLineReader.ReadLineAsync(_connection.Input, Endpoint, waitingFor, null, _options.ReplyTimeout, cancellation);
        _logger.LogDebug("{Endpoint} {Command} -> {Reply}", Endpoint, command[0], line);
        return line;
    }
}
