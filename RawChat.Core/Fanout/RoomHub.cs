using Microsoft.Extensions.Logging;
using RawChat.Core.Observability;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;
using StackExchange.Redis;

namespace RawChat.Core.Fanout;

/// <summary>
/// One room on this node: its local members, its Redis subscription and its sequencer.
/// Frames arrive from Redis and from local posts in any order and leave in seq order; a gap
/// that Redis does not fill within the gap timeout is read from PostgreSQL.
/// </summary>
public sealed partial class RoomHub
{
    private const int CatchUpBatch = 500;
    private const int CatchUpBytes = 1024 * 1024;

    private readonly object _lock = new();
    private readonly RoomSequencer _sequencer = new();
    private readonly MessageStore _store;
    private readonly TimeSpan _gapTimeout;
    private readonly IChatMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _retired = new();
    private readonly Action<long, ReadOnlyMemory<byte>> _deliver;
    private IRoomMember[] _members = [];
    private bool _fillRunning;

    internal RoomHub(string room, MessageStore store, TimeSpan gapTimeout, IChatMetrics metrics, ILogger logger)
    {
        Room = room;
        _store = store;
        _gapTimeout = gapTimeout;
        _metrics = metrics;
        _logger = logger;
        _deliver = DeliverToMembers;
    }

    public string Room { get; }

    public int MemberCount => Volatile.Read(ref _members).Length;

    /// <summary>Serialises subscribe / unsubscribe of this room (held by the registry).</summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    internal ChannelMessageQueue? Subscription { get; set; }

    internal bool IsRetired => _retired.IsCancellationRequested;

    internal bool IsStarted
    {
        get { lock (_lock) { return _sequencer.Started; } }
    }

    public void Offer(long seq, ReadOnlyMemory<byte> frame)
    {
        lock (_lock)
        {
            _sequencer.Offer(seq, frame, _deliver);
            ScheduleGapFillLocked();
        }
    }

    internal void Start(long baseline)
    {
        lock (_lock)
        {
            _sequencer.Start(baseline, _deliver);
            ScheduleGapFillLocked();
        }
    }

    internal void Add(IRoomMember member)
    {
        lock (_lock)
        {
            _members = [.. _members, member];
        }
    }

    internal int Remove(IRoomMember member)
    {
        lock (_lock)
        {
            _members = Array.FindAll(_members, m => !ReferenceEquals(m, member));
            return _members.Length;
        }
    }

    internal void Retire() => _retired.Cancel();

    /// <summary>Reads from PostgreSQL everything after the last delivered seq (after Redis was away).</summary>
    internal async Task CatchUpAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            long from;
            lock (_lock)
            {
                if (!_sequencer.Started)
                {
                    return;
                }

                from = _sequencer.Delivered;
            }

            var rows = await _store.ReadAfterAsync(Room, from, CatchUpBatch, CatchUpBytes, ct).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (var row in rows)
                {
                    _sequencer.Offer(row.Seq, ServerFrames.Message(row), _deliver);
                }
            }

            if (rows.Count == 0)
            {
                return;
            }
        }
    }

    private void DeliverToMembers(long seq, ReadOnlyMemory<byte> frame)
    {
        var members = _members;
        var trace = ChatActivities.StartDeliver(Room, seq);
        foreach (var member in members)
        {
            member.Deliver(seq, frame);
        }

        _metrics.MessagesDelivered(members.Length); // one add per fan-out, not per socket
        trace?.SetTag("rawchat.connections", members.Length);
        ChatActivities.Stop(trace);
    }

    private void ScheduleGapFillLocked()
    {
        if (_sequencer.HasGap && !_fillRunning && !IsRetired)
        {
            _fillRunning = true;
            _ = FillGapsAsync();
        }
    }

    private async Task FillGapsAsync()
    {
        var ct = _retired.Token;
        try
        {
            while (true)
            {
                await Task.Delay(_gapTimeout, ct).ConfigureAwait(false);
                lock (_lock)
                {
                    if (!_sequencer.HasGap)
                    {
                        _fillRunning = false;
                        return;
                    }
                }

                try
                {
                    LogGapFill(_logger, Room, _sequencer.Delivered + 1);
                    await CatchUpAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogGapFillFailed(_logger, e, Room);
                    await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The room was released on this node.
        }
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Room {Room}: seq {Seq} missing on Redis, reading it from PostgreSQL")]
    private static partial void LogGapFill(ILogger logger, string room, long seq);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "Room {Room}: filling a seq gap from PostgreSQL failed; retrying")]
    private static partial void LogGapFillFailed(ILogger logger, Exception error, string room);
}
