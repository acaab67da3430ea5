using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Fornax.Kv.Tests.Storage;
using Fornax.Testing;

namespace Fornax.Kv.Tests.Resp;

/// <summary>
/// A real redis-server (Debian's redis-server package; .ci/setup/40-redis.sh installs it) listening only on a Unix
/// socket in a temporary folder, with no persistence: the reference the differential tests compare the RESP port with.
/// Start it, then <see cref="WaitUntilReadyAsync"/>.
/// </summary>
public sealed class RedisServerProcess : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public RedisServerProcess()
    {
        Directory.CreateDirectory(_folder.Path);
        SocketPath = Path.Combine(_folder.Path, "redis.sock");
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", "0", "--unixsocket", SocketPath, "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", _folder.Path },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; .ci/setup/40-redis.sh)", e);
        }

        _process.OutputDataReceived += (_, line) => Log(line.Data);
        _process.ErrorDataReceived += (_, line) => Log(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until redis-server listens on its socket (it says so on its output), or throws with what it said.</summary>
    public async Task WaitUntilReadyAsync()
    {
        await Poll.UntilAsync(() => _process.HasExited || Output.Contains("ready to accept connections", StringComparison.Ordinal),
            $"redis-server to listen on {SocketPath}", TimeSpan.FromSeconds(20), () => Output);
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"redis-server exited before it listened on {SocketPath}:\n{Output}");
        }
    }

    public string SocketPath { get; }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Log(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async Task<RawRespConnection> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return new RawRespConnection(socket);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _folder.Dispose();
    }
}

/// <summary>One connection that sends commands as RESP arrays of bulk strings and reads whole replies as raw text.</summary>
public sealed class RawRespConnection(Socket socket) : IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly StringBuilder _received = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    public async Task<string> CallAsync(string[] args)
    {
        await _stream.WriteAsync(ParserHarness.Encode([[.. args.Select(Encoding.UTF8.GetBytes)]]));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var text = _received.ToString();
            if (text.Length > 0 && RespTestServer.ReplyLength(text, 0) is { } length)
            {
                _received.Remove(0, length);
                return text[..length];
            }

            var read = await _stream.ReadAsync(_buffer, timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"redis-server closed the connection; unread: {text}");
            }

            _received.Append(Encoding.UTF8.GetString(_buffer, 0, read)); // ASCII only: the tests send no other bytes
        }
    }

    public void Dispose() => _stream.Dispose();
}
