using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Tianmu.Testing;

/// <summary>What a <see cref="FaultyTcpProxy"/> does with connections.</summary>
public enum ProxyMode
{
    /// <summary>Pass bytes both ways.</summary>
    Forward,

    /// <summary>Reset every open connection and every new one at once (a service that is down).</summary>
    Refuse,

    /// <summary>Accept connections and swallow what they send without ever answering (a service that hangs).</summary>
    Blackhole,
}

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real service (Azurite) that a test can switch between forwarding,
/// refusing and black-holing, so that an outage can be staged while the service keeps its data.
/// </summary>
public sealed class FaultyTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private readonly Task _accepting;
    private volatile ProxyMode _mode;

    public FaultyTcpProxy(int upstreamPort)
    {
        _upstream = new IPEndPoint(IPAddress.Loopback, upstreamPort);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Connections accepted since the proxy started.</summary>
    public int Connections { get; private set; }

    public ProxyMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            if (value != ProxyMode.Forward)
            {
                foreach (var socket in _open.Keys)
                {
                    Reset(socket);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var socket in _open.Keys)
        {
            Reset(socket);
        }

        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }

        _stopping.Dispose();
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            Connections++;
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        switch (_mode)
        {
            case ProxyMode.Refuse:
                Reset(client);
                return;
            case ProxyMode.Blackhole:
                _open[client] = true;
                await DrainAsync(client).ConfigureAwait(false);
                return;
        }

        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await upstream.ConnectAsync(_upstream, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            Reset(client);
            upstream.Dispose();
            return;
        }

        _open[client] = true;
        _open[upstream] = true;
        await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client)).ConfigureAwait(false);
        Reset(client);
        Reset(upstream);
        _open.TryRemove(client, out _);
        _open.TryRemove(upstream, out _);
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (_mode == ProxyMode.Forward)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                if (read == 0 || _mode != ProxyMode.Forward)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private async Task DrainAsync(Socket client)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (await client.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _open.TryRemove(client, out _);
            Reset(client);
        }
    }
}
