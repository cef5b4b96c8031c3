using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace RawChat.Tests.Support;

/// <summary>
/// A test client over a real <see cref="ClientWebSocket"/>. A background loop reads every frame
/// into a queue; tests await the next frame (with a generous timeout) or the close.
/// </summary>
public sealed class ChatClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly Channel<string> _frames = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Reason)> _closed =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;

    private ChatClient(ClientWebSocket socket)
    {
        Socket = socket;
        _reading = ReadLoopAsync();
    }

    public ClientWebSocket Socket { get; }

    /// <summary>Completes when the server closed the socket (or it dropped: then Status is null).</summary>
    public Task<(WebSocketCloseStatus? Status, string? Reason)> Closed => _closed.Task;

    public static async Task<ChatClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new ChatClient(socket);
    }

    /// <summary>Connects, or answers the HTTP status that refused the handshake (any other failure throws).</summary>
    public static async Task<(ChatClient? Client, System.Net.HttpStatusCode Refused)> TryConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
            return (new ChatClient(socket), System.Net.HttpStatusCode.SwitchingProtocols);
        }
        catch (WebSocketException) when (socket.HttpStatusCode is not 0 and not System.Net.HttpStatusCode.SwitchingProtocols)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
    }

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public Task SendTextAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendRawAsync(byte[] payload, WebSocketMessageType type, bool endOfMessage = true)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await Socket.SendAsync(payload, type, endOfMessage, timeout.Token);
    }

    /// <summary>The next frame, parsed.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null)
    {
        var text = await ReceiveTextAsync(timeout);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public async Task<string> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _frames.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no frame arrived in time");
        }
        catch (ChannelClosedException)
        {
            var (status, reason) = await Closed;
            throw new InvalidOperationException($"the socket closed ({status} {reason}) before a frame arrived");
        }
    }

    /// <summary>The next frame, which must have the given <c>type</c>.</summary>
    public async Task<JsonElement> ReceiveTypeAsync(string type, TimeSpan? timeout = null)
    {
        var frame = await ReceiveAsync(timeout);
        var actual = frame.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (actual != type)
        {
            throw new InvalidOperationException($"expected a '{type}' frame, got {frame}");
        }

        return frame;
    }

    /// <summary>Waits for the server's close, skipping any frames still queued before it.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Reason)> WaitForCloseAsync(TimeSpan? timeout = null) =>
        await Closed.WaitAsync(timeout ?? DefaultTimeout);

    /// <summary>
    /// Proves nothing was sent since the last frame read: a ping's pong must be the very next frame.
    /// </summary>
    public async Task ExpectNothingPendingAsync()
    {
        await SendAsync(new { type = "ping" });
        var next = await ReceiveAsync();
        if (next.GetProperty("type").GetString() != "pong")
        {
            throw new InvalidOperationException($"expected nothing before the pong, got {next}");
        }
    }

    public async Task CloseAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                Socket.Abort();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        Socket.Abort();
        await _reading;
        Socket.Dispose();
    }

    /// <summary>Completes the closing handshake, as browsers do.</summary>
    private async Task AnswerCloseAsync()
    {
        if (Socket.State != WebSocketState.CloseReceived)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            Socket.Abort();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((result.CloseStatus, result.CloseStatusDescription));
                    await AnswerCloseAsync();
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    _frames.Writer.TryWrite(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                    message.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _closed.TrySetResult((Socket.CloseStatus, Socket.CloseStatusDescription));
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
