using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Benchmarks;

/// <summary>
/// The hot path end to end: tagged SET requests through <see cref="PipelinedClient{TTag}"/> to a real local
/// redis-server (started for the run), replies counted by a handler. Shows throughput and allocation per request.
/// </summary>
[MemoryDiagnoser]
public class PipelinedClientBenchmarks
{
    private const int Requests = 10_000;

    private Process? _server;
    private PipelinedClient<long>? _client;
    private readonly Counter _counter = new();
    private readonly byte[] _value = new byte[100];

    [Params(1024)]
    public int PipelineLimit { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", "" })
            info.ArgumentList.Add(a);
        _server = Process.Start(info)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        var options = new RedisConnectionOptions { Address = $"127.0.0.1:{port}" };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var connection = RedisConnection.ConnectAsync(options).GetAwaiter().GetResult();
                _client = new PipelinedClient<long>(connection, PipelineLimit, _counter);
                break;
            }
            catch (RedisConnectionException) when (attempt < 100)
            {
                Thread.Sleep(50);
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server?.Kill();
        _server?.WaitForExit();
    }

    [Benchmark(Description = "SET via EnqueueAsync + DrainAsync", OperationsPerInvoke = Requests)]
    public async Task<long> Enqueue()
    {
        for (long i = 0; i < Requests; i++) await _client!.EnqueueAsync(i, new SetCommand(i, _value));
        await _client!.DrainAsync();
        return _counter.Replies;
    }

    private readonly struct SetCommand(long key, byte[] value) : IRespCommand
    {
        public void WriteTo(IBufferWriter<byte> output)
        {
            RespCommandWriter.WriteArrayHeader(output, 3);
            RespCommandWriter.WriteBulk(output, "SET"u8);
            RespCommandWriter.WriteBulk(output, key % 50_000);
            RespCommandWriter.WriteBulk(output, value);
        }
    }

    private sealed class Counter : IReplyHandler<long>
    {
        public long Replies;
        public long Errors;

        public void OnReply(in long tag, in RespReply reply)
        {
            Replies++;
            if (reply.IsError) Errors++;
        }

        public void OnFailed(in long tag, Exception error) => Errors++;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
