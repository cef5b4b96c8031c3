using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using RawChat.Bench.Metrics;

namespace RawChat.Bench.Load;

/// <summary>
/// One connection: a single receive loop over a pooled buffer that reads only the fields it needs,
/// and a send path used by at most one sender. Its counters have one writer each (the receive loop,
/// or the sender for <see cref="Sent"/>) and are summed by the runner.
/// </summary>
internal sealed class BenchClient(int index, int room, ClientWebSocket socket, RunContext context)
{
    private const int InitialBuffer = 4096;
    private readonly SeqSet _seen = new();
    private long _highestSeq;
    private volatile bool _closing;
    private Task _receiving = Task.CompletedTask;

    public int Index { get; } = index;

    public int Room { get; } = room;

    public long Sent;
    public long SendFailures;
    public long Skipped;
    public long Acked;
    public long DuplicateAcks;
    public long Refused;
    public long Expected;
    public long Delivered;
    public long Duplicated;
    public long OutOfOrder;
    public long Foreign;
    public bool Dropped;

    /// <summary>Seqs of this connection's own posts that were acked (each must reach the whole room).</summary>
    public List<long> AckedSeqs { get; } = [];

    public bool IsOpen => socket.State == WebSocketState.Open;

    public bool HasSeen(long seq) => _seen.Contains(seq);

    /// <returns>The connected client, or null after counting the failure.</returns>
    public static async Task<BenchClient?> ConnectAsync(int index, int room, Uri uri, RunContext context, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // the server pings; the runtime answers
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var started = Stopwatch.GetTimestamp();
        try
        {
            await socket.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            var code = socket.HttpStatusCode != 0 ? $"http_{(int)socket.HttpStatusCode}"
                : e is OperationCanceledException ? "timeout" : e.GetType().Name;
            RunContext.Count(context.ConnectFailures, code);
            socket.Dispose();
            ct.ThrowIfCancellationRequested();
            return null;
        }

        if (context.MeasureConnects)
        {
            context.Connect.RecordTicks(Stopwatch.GetTimestamp() - started);
        }
        socket.HttpResponseHeaders = null; // not needed; do not hold them per connection
        var client = new BenchClient(index, room, socket, context);
        client._receiving = client.ReceiveLoopAsync();
        return client;
    }

    /// <summary>
    /// Sends one frame. No cancellation token on purpose: with a cancelable one, ManagedWebSocket
    /// always takes its slower fallback path (a registration and a Task per frame).
    /// </summary>
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> frame)
    {
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            Sent++;
            return true;
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            SendFailures++;
            return false;
        }
    }

    /// <summary>Sends our close, waits a bounded time for the server's answer, then lets go.</summary>
    public async Task CloseAsync()
    {
        _closing = true;
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }

            await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException or IOException)
        {
            socket.Abort();
        }
        finally
        {
            socket.Dispose();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        await Task.Yield();
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await OnCloseAsync().ConfigureAwait(false);
                        return;
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                Handle(buffer.AsSpan(0, length), Stopwatch.GetTimestamp());
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Dropped = !_closing;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task OnCloseAsync()
    {
        if (_closing)
        {
            return; // the answer to our own close
        }

        var status = socket.CloseStatus is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "none";
        RunContext.Count(context.ServerCloses, $"{status} {socket.CloseStatusDescription}".Trim());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
    }

    private void Handle(ReadOnlySpan<byte> utf8, long now)
    {
        if (!ServerFrame.TryRead(utf8, out var frame))
        {
            RunContext.Count(context.Refusals, "unreadable_frame");
            return;
        }

        switch (frame.Kind)
        {
            case FrameKind.Message:
                OnMessage(frame.Seq, utf8[frame.Message], now);
                break;
            case FrameKind.Ack:
                OnAck(frame.Seq, utf8[frame.ClientMsgId], frame.Duplicate, now);
                break;
            case FrameKind.Error:
                var code = utf8[frame.Code];
                RunContext.Count(context.Refusals, code.IsEmpty ? "error" : Encoding.UTF8.GetString(code));
                if (PostText.TryParseClientMsgId(utf8[frame.ClientMsgId], out _, out _, out _))
                {
                    Refused++;
                }

                break;
        }
    }

    private void OnMessage(long seq, ReadOnlySpan<byte> text, long now)
    {
        if (seq <= 0 || !PostText.TryParseText(text, out _, out _, out var sentAt))
        {
            Foreign++;
            return;
        }

        if (!_seen.Add(seq))
        {
            Duplicated++;
            return;
        }

        if (seq < _highestSeq)
        {
            OutOfOrder++;
        }
        else
        {
            _highestSeq = seq;
        }

        Delivered++;
        if (sentAt >= context.WindowStart)
        {
            context.Delivery.RecordTicks(now - sentAt);
        }
    }

    private void OnAck(long seq, ReadOnlySpan<byte> clientMsgId, bool duplicate, long now)
    {
        if (!PostText.TryParseClientMsgId(clientMsgId, out _, out _, out var sentAt))
        {
            return;
        }

        Acked++;
        if (duplicate)
        {
            DuplicateAcks++;
        }
        else
        {
            AckedSeqs.Add(seq);
            Expected += context.Members[Room];
        }

        if (sentAt >= context.WindowStart)
        {
            context.Ack.RecordTicks(now - sentAt);
        }
    }
}
