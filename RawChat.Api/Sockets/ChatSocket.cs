using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using RawChat.Api.Observability;
using RawChat.Core.Chat;
using RawChat.Core.Fanout;
using RawChat.Core.Protocol;

namespace RawChat.Api.Sockets;

/// <summary>
/// One accepted socket: a receive loop that hands frames to the <see cref="FrameHandler"/> and
/// a single send loop that drains the outbox (the only caller of SendAsync). Whatever asks the
/// connection to close, the send loop sends the close frame, waits a bounded time for the
/// client's answer, then aborts. The send loop corks <paramref name="output"/> while it drains
/// what is queued, so those frames leave in one write.
/// </summary>
internal sealed partial class ChatSocket(
    WebSocket socket,
    CoalescingStream? output,
    InboundFrameScanner? scanner,
    ChatConnection connection,
    FrameHandler frames,
    RoomJoiner joiner,
    ChatOptions options,
    TimeSpan clockSkew,
    TimeProvider time,
    ChatMetrics metrics,
    ILogger logger)
{
    /// <summary>A failed frame that kept the receive loop this long makes up the client's budgets for the wait.</summary>
    private static readonly TimeSpan StallWorthCrediting = TimeSpan.FromMilliseconds(200);

    /// <summary>Timers wait at most ~24.8 days; a longer-lived token is checked again after each wait.</summary>
    private static readonly TimeSpan LongestTimerWait = TimeSpan.FromDays(24);

    private readonly ConnectionOutbox _outbox = connection.Outbox;
    private readonly TimeSpan _closeTimeout = TimeSpan.FromSeconds(options.CloseTimeoutSeconds);
    private readonly MessageReader _reader = new(socket, options.MaxFrameBytes, scanner);
    private ITimer? _expiry;

    public async Task RunAsync(long? since, CancellationToken requestAborted)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        metrics.ConnectionOpened();
        // Once a close is asked for (exactly once per connection: the first reason wins), it is
        // counted, and everything still running gets the close timeout, then stops.
        _ = _outbox.CloseRequested.ContinueWith(
            (closed, state) =>
            {
                metrics.ConnectionClosed(closed.Result.Text);
                CancelAfterQuietly((CancellationTokenSource)state!, _closeTimeout);
                connection.CompleteOutboxIfIdle();
            }, lifetime, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        using var expiry = _expiry = time.CreateTimer(_ => CheckExpiry(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        CheckExpiry();

        var sending = SendLoopAsync(lifetime.Token);
        var receiving = JoinThenReceiveAsync(since, lifetime.Token);
        await Task.WhenAll(sending, receiving).ConfigureAwait(false);
        // Abort only a socket still mid-handshake: aborting one that already ended (e.g. the
        // runtime's own 1007 close) could reset the connection before that close frame leaves.
        if (socket.State is WebSocketState.Open or WebSocketState.CloseSent or WebSocketState.CloseReceived)
        {
            socket.Abort();
        }
    }

    private async Task JoinThenReceiveAsync(long? since, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (connection.BeginWork())
            {
                var membership = connection.DefaultMembership;
                await joiner.CatchUpAsync(connection, membership, since, answerJoin: false, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReplayFailed(logger, e, connection.Id);
            _outbox.RequestClose(CloseReason.InternalError);
        }
        finally
        {
            connection.EndWork();
            CreditIfStalled(started);
        }

        await ReceiveLoopAsync(ct).ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var limit = options.MaxFrameBytes;
        try
        {
            while (true)
            {
                // A zero-byte read waits for data without holding a buffer on an idle socket.
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, ct).ConfigureAwait(false);
                if (first.MessageType == WebSocketMessageType.Close)
                {
                    _outbox.RequestClose(CloseReason.Normal);
                    return;
                }

                // The buffer is held only while the frame is read and parsed, not while it is answered.
                ClientFrameParseResult parsed = default;
                var buffer = ArrayPool<byte>.Shared.Rent(limit);
                CloseReason? close;
                try
                {
                    int length;
                    (length, close) = await _reader.ReadAsync(first, buffer, ct).ConfigureAwait(false);
                    if (close is null)
                    {
                        parsed = ClientFrameParser.Parse(buffer.AsSpan(0, length));
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                if (close is not null)
                {
                    _outbox.RequestClose(close);
                    if (close == CloseReason.Normal)
                    {
                        return;
                    }

                    await DiscardUntilCloseAsync(ct).ConfigureAwait(false);
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                try
                {
                    if (connection.BeginWork())
                    {
                        await frames.HandleAsync(connection, parsed, ct).ConfigureAwait(false);
                    }
                }
                finally
                {
                    connection.EndWork();
                    CreditIfStalled(started);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The peer went away, the close timed out, or the runtime refused the framing itself.
            _outbox.RequestClose(CloseReason.Normal);
        }
        catch (Exception e)
        {
            // A fault of ours: this connection ends with 1011, the node and other sockets go on.
            LogReceiveFault(logger, e, connection.Id);
            _outbox.RequestClose(CloseReason.InternalError);
        }
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        var reader = _outbox.Reader;
        // Sends take no token (the runtime's fast path); a send stuck past the deadline is ended
        // by aborting the socket instead.
        using var abortOnDeadline = ct.Register(static state => ((WebSocket)state!).Abort(), socket);
        try
        {
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                output?.Cork();
                try
                {
                    while (reader.TryRead(out var frame))
                    {
                        if (_outbox.CloseRequested.IsCompletedSuccessfully
                            && _outbox.CloseRequested.Result == CloseReason.SlowConsumer)
                        {
                            break; // do not keep feeding a client that is not reading
                        }

                        await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                        _outbox.Sent(frame.Length);
                    }
                }
                finally
                {
                    if (output is not null)
                    {
                        await output.UncorkAsync().ConfigureAwait(false);
                    }
                }

                if (_outbox.IsClosing && _outbox.CloseRequested.Result == CloseReason.SlowConsumer)
                {
                    break;
                }
            }

            var reason = await _outbox.CloseRequested.ConfigureAwait(false);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(reason.Status, reason.Text, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _outbox.RequestClose(CloseReason.Normal);
            socket.Abort(); // also ends the receive loop
        }
    }

    /// <summary>
    /// After a close of ours, reads and drops whatever the client still sends (the rest of the
    /// refused message first) until its close frame answers ours. A zero-byte read would return at
    /// once, again and again, while an unread payload is pending: this reads it.
    /// </summary>
    private async Task DiscardUntilCloseAsync(CancellationToken ct)
    {
        var discard = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while ((await socket.ReceiveAsync(discard.AsMemory(), ct).ConfigureAwait(false)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(discard);
        }
    }

    /// <summary>
    /// While storage or Redis hung on a frame (it ended <c>unavailable</c>), the client's next
    /// frames waited in the socket; they arrive at once though they were sent at the allowed rate,
    /// so the budgets are made up for the wait (docs/protocol.md §3.5 counts frames when sent). A frame
    /// that was only slow (a read waiting its turn, a full outbox) earns nothing: a client could
    /// make its own frames slow.
    /// </summary>
    private void CreditIfStalled(long started)
    {
        if (!connection.TakeDependencyFailure())
        {
            return; // the usual case: nothing to make up, nothing more to compute
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed >= StallWorthCrediting)
        {
            connection.CreditStall(elapsed);
        }
    }

    private static void CancelAfterQuietly(CancellationTokenSource source, TimeSpan delay)
    {
        try
        {
            source.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // The connection already ended.
        }
    }

    /// <summary>Closes the connection once its token expired (plus the clock skew), else waits again.</summary>
    private void CheckExpiry()
    {
        var due = connection.User.ExpiresAtUtc + clockSkew - time.GetUtcNow().UtcDateTime;
        if (due <= TimeSpan.Zero)
        {
            _outbox.RequestClose(CloseReason.TokenExpired);
            return;
        }

        try
        {
            _expiry?.Change(due < LongestTimerWait ? due : LongestTimerWait, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The connection already ended.
        }
    }

    [LoggerMessage(EventId = 411, Level = LogLevel.Error, Message = "Connection {ConnectionId}: unexpected fault while handling a frame")]
    private static partial void LogReceiveFault(ILogger logger, Exception error, string connectionId);

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: replaying its room at connect failed")]
    private static partial void LogReplayFailed(ILogger logger, Exception error, string connectionId);
}
