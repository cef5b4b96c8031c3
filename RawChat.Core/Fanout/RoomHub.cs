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
    private List<(long Seq, Action Action)>? _afterSeq;
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

    /// <summary>The room's members on this node now.</summary>
    public IReadOnlyList<IRoomMember> Members => Volatile.Read(ref _members);

    /// <summary>
    /// Runs <paramref name="action"/> once this node has delivered message <paramref name="seq"/> (at once if it has):
    /// what happened after that message reaches members after it (docs/protocol.md §14.6).
    /// </summary>
    public void RunAfter(long seq, Action action)
    {
        lock (_lock)
        {
            if (!_sequencer.Started || _sequencer.Delivered < seq)
            {
                (_afterSeq ??= []).Add((seq, action));
                _ = RunLateAsync();
                return;
            }
        }

        action();
    }

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
            if (_afterSeq is not null)
            {
                RunDue(_sequencer.Delivered);
            }

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
        if (_afterSeq is not null)
        {
            RunDue(seq);
        }
    }

    /// <summary>
    /// When message seq never came (Redis dropped it and nothing followed), reads it from PostgreSQL; what is still
    /// waiting after that runs anyway.
    /// </summary>
    private async Task RunLateAsync()
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _retired.Token).ConfigureAwait(false);
            await CatchUpAsync(_retired.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogGapFillFailed(_logger, e, Room);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_lock)
        {
            if (_afterSeq is not null)
            {
                RunDue(long.MaxValue);
            }
        }
    }

    private void RunDue(long delivered)
    {
        var waiting = _afterSeq!;
        foreach (var (seq, action) in waiting.Where(a => a.Seq <= delivered).ToList())
        {
            action();
        }

        waiting.RemoveAll(a => a.Seq <= delivered);
        if (waiting.Count == 0)
        {
            _afterSeq = null;
        }
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
