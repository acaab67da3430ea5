using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fornax.Emulation;

/// <summary>
/// An emulated network link: a TCP proxy on 127.0.0.1 (port chosen by the OS) in front of <see cref="Target"/> that
/// delays, throttles and (as TCP sees it) loses traffic in each direction, and can be cut and healed. It is
/// byte-transparent, so HTTP/1.1, HTTP/2, gRPC, TLS and RESP all pass through unchanged.
/// </summary>
/// <remarks>
/// "Up" is from the client that dialled <see cref="Endpoint"/> to the target; "down" is the way back.
/// </remarks>
public sealed partial class LinkEmulator : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<LinkConnection, byte> _connections = new();
    private readonly Lock _stateLock = new();
    private readonly Task _acceptLoop;
    private LinkProfileOptions _profile;
    private LinkCutMode? _cut;
    private TaskCompletionSource _passable = CompletedGate();
    private int _heldAtBlackhole;
    private long _bytesUp;
    private long _bytesDown;
    private long _bytesInFlight;
    private long _connectionsAccepted;
    private int _seedSequence;

    private LinkEmulator(Socket listener, IPEndPoint target, LinkProfileOptions profile, TimeProvider time)
    {
        _listener = listener;
        Target = target;
        _profile = profile;
        Time = time;
        Endpoint = (IPEndPoint)listener.LocalEndPoint!;
        UpBucket = new TokenBucket(time);
        DownBucket = new TokenBucket(time);
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where clients connect instead of <see cref="Target"/>.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Where the link leads.</summary>
    public IPEndPoint Target { get; }

    /// <summary>The profile in force; <see cref="UpdateProfile"/> changes it for traffic from then on.</summary>
    public LinkProfileOptions Profile => Volatile.Read(ref _profile);

    public bool IsCut => CutMode is not null;

    /// <summary>How the link is cut, or null while it is up.</summary>
    public LinkCutMode? CutMode
    {
        get
        {
            lock (_stateLock)
            {
                return _cut;
            }
        }
    }

    /// <summary>Bytes delivered to the target.</summary>
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    /// <summary>Bytes delivered back to clients.</summary>
    public long BytesDown => Interlocked.Read(ref _bytesDown);

    /// <summary>
    /// Bytes read from one side and not yet delivered to the other, both directions together: what the link holds
    /// in its delay queues right now (netem's backlog).
    /// </summary>
    public long BytesInFlight => Interlocked.Read(ref _bytesInFlight);

    /// <summary>Connections accepted on <see cref="Endpoint"/>, including those refused because the link was cut.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    /// <summary>Connections open right now.</summary>
    public int ActiveConnections => _connections.Count;

    internal TimeProvider Time { get; }

    internal TokenBucket UpBucket { get; }

    internal TokenBucket DownBucket { get; }

    /// <summary>Starts a link to <paramref name="target"/>, listening on 127.0.0.1 at a port the OS picks.</summary>
    /// <param name="target">Where connections are forwarded.</param>
    /// <param name="profile">Latency, bandwidth and loss; <see cref="LinkProfileOptions.Unlimited"/> for none.</param>
    /// <param name="timeProvider">The clock for every delay.</param>
    /// <param name="cancellationToken">Cancels starting only; stop the link with <see cref="DisposeAsync"/>.</param>
    public static Task<LinkEmulator> StartAsync(IPEndPoint target, LinkProfileOptions profile, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(timeProvider);
        profile.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return Task.FromResult(new LinkEmulator(listener, target, profile, timeProvider));
    }

    /// <summary>Changes latency, bandwidth and loss for every chunk read from now on, on live connections too.</summary>
    public void UpdateProfile(LinkProfileOptions profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        profile.Validate();
        Volatile.Write(ref _profile, profile);
    }

    /// <summary>
    /// Cuts the link until <see cref="Heal"/>. <see cref="LinkCutMode.Reset"/> (the default) resets every current
    /// connection and every new one; <see cref="LinkCutMode.Blackhole"/> lets nothing through and closes nothing.
    /// </summary>
    public void Cut(LinkCutMode mode = LinkCutMode.Reset)
    {
        lock (_stateLock)
        {
            _cut = mode;
            if (_passable.Task.IsCompleted)
            {
                _passable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (mode == LinkCutMode.Reset)
        {
            foreach (var connection in _connections.Keys)
            {
                connection.Abort();
            }
        }
    }

    /// <summary>Restores the link: new connections pass again and blackholed ones resume.</summary>
    public void Heal()
    {
        TaskCompletionSource gate;
        lock (_stateLock)
        {
            _cut = null;
            gate = _passable;
        }

        gate.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Abort();
        }

        await _acceptLoop;
        await Task.WhenAll(_connections.Keys.Select(c => c.Completion));
        _stopping.Dispose();
    }

    public override string ToString() =>
        $"{Endpoint} -> {Target} (latency {Profile.Latency.TotalMilliseconds} ms, {(Profile.BandwidthBitsPerSecond == 0 ? "unlimited" : $"{Profile.BandwidthBitsPerSecond} bit/s")}, loss {Profile.Loss}{(IsCut ? $", cut: {CutMode}" : "")})";

    /// <summary>
    /// Traffic held at the blackhole right now: each pump or dial waiting for the link to heal counts once. Tests wait for
    /// it instead of sleeping to show that nothing passes.
    /// </summary>
    internal int HeldAtBlackhole => Volatile.Read(ref _heldAtBlackhole);

    /// <summary>Completes at once while the link passes traffic; while it is blackholed, when it heals.</summary>
    internal Task WhenPassableAsync(CancellationToken cancellationToken)
    {
        Task gate;
        lock (_stateLock)
        {
            gate = _passable.Task;
        }

        return gate.IsCompleted ? Task.CompletedTask : HoldAsync(gate, cancellationToken);
    }

    private async Task HoldAsync(Task gate, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _heldAtBlackhole);
        try
        {
            await gate.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _heldAtBlackhole);
        }
    }

    internal void CountUp(int bytes) => Interlocked.Add(ref _bytesUp, bytes);

    internal void CountDown(int bytes) => Interlocked.Add(ref _bytesDown, bytes);

    internal void AddInFlight(int bytes) => Interlocked.Add(ref _bytesInFlight, bytes);

    /// <summary>A fresh random sequence per connection direction, reproducible when the profile has a seed.</summary>
    internal Random NewRandom()
    {
        var sequence = Interlocked.Increment(ref _seedSequence);
        return Profile.Seed is { } seed ? new Random(HashCode.Combine(seed, sequence)) : new Random();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue; // e.g. a client that reset before we accepted it
            }

            Interlocked.Increment(ref _connectionsAccepted);
            var connection = new LinkConnection(this, client);
            _connections.TryAdd(connection, 0);
            // Registered before the check, so a concurrent Cut either sees this connection or we see the cut.
            if (CutMode == LinkCutMode.Reset || _stopping.IsCancellationRequested)
            {
                connection.Abort();
            }

            _ = connection.RunAsync(_stopping.Token).ContinueWith(
                (_, state) => _connections.TryRemove((LinkConnection)state!, out var _),
                connection,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
