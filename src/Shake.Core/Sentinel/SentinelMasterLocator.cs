using System.Globalization;
using System.Net.Sockets;
using Shake.Core.Configuration;
using Shake.Resp.Connections;

namespace Shake.Core.Sentinel;

/// <summary>
/// Asks Redis Sentinel where a master is: each configured sentinel in turn, <c>SENTINEL get-master-addr-by-name</c>;
/// the first answer wins. A sentinel that cannot be reached, refuses, or does not know the name is passed over.
/// </summary>
public sealed class SentinelMasterLocator
{
    private readonly SentinelOptions _options;

    /// <summary>Locates <see cref="SentinelOptions.MasterName"/> through <see cref="SentinelOptions.Addresses"/>.</summary>
    public SentinelMasterLocator(SentinelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Addresses.Count == 0) throw new ArgumentException("a sentinel source needs at least one sentinel address", nameof(options));
        _options = options;
    }

    /// <summary>The master name asked for.</summary>
    public string MasterName => _options.MasterName;

    /// <summary>The sentinels, for messages.</summary>
    public string Sentinels => string.Join(",", _options.Addresses);

    /// <summary>How long one sentinel may take to connect and answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The master's <c>host:port</c> as the first answering sentinel names it; <see cref="SentinelException"/> lists every
    /// sentinel and why it gave no answer when none did.
    /// </summary>
    public async Task<string> LocateAsync(CancellationToken cancellation)
    {
        var failures = new List<string>();
        foreach (var address in _options.Addresses)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            limit.CancelAfter(Timeout);
            try
            {
                await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions
                {
                    Address = address,
                    Username = _options.Username.Length > 0 ? _options.Username : null,
                    Password = _options.Password.Length > 0 ? _options.Password : null,
                    Tls = _options.Tls,
                    ConnectTimeout = Timeout,
                    ReadTimeout = Timeout,
                }, limit.Token);
                var reply = await connection.ExecuteAsync(["SENTINEL", "get-master-addr-by-name", _options.MasterName], limit.Token);
                if (reply.IsError)
                {
                    failures.Add($"{address} answered {reply.AsString()}");
                    continue;
                }
                if (reply.IsNull || reply.Items.Count != 2 || reply.Items[0].AsString() is not { Length: > 0 } host
                    || !int.TryParse(reply.Items[1].AsString(), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                {
                    failures.Add($"{address} does not monitor a master named '{_options.MasterName}'");
                    continue;
                }
                return new RedisEndpoint(host, port).ToString();
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException or UnauthorizedAccessException
                || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
            {
                failures.Add($"{address}: {(e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:F0} s" : e.Message)}");
            }
        }
        throw new SentinelException($"no sentinel named the master '{_options.MasterName}': {string.Join("; ", failures)}");
    }
}
