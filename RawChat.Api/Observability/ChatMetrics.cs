using Prometheus;
using RawChat.Core.Observability;
using RawChat.Core.Quotas;

namespace RawChat.Api.Observability;

/// <summary>
/// Every metric served at <c>/metrics</c>, defined in this one file. Each node has its own
/// registry (the tests run two nodes in one process), so nothing here is static. Labels are fixed
/// codes from the protocol: no token, user, room or message text ever becomes a label or a value.
/// </summary>
internal sealed class ChatMetrics : IChatMetrics
{
    private readonly Counter _opened;
    private readonly Counter _closed;
    private readonly Gauge _open;
    private readonly Gauge _rooms;
    private readonly Counter _received;
    private readonly Counter _stored;
    private readonly Counter _duplicates;
    private readonly Counter _delivered;
    private readonly Histogram _storeSeconds;
    private readonly Histogram _publishSeconds;
    private readonly Counter _publishFailures;
    private readonly Counter _refusals;
    private readonly Counter _redisReconnects;
    private readonly Counter _envelopesDropped;
    private readonly Counter _quotaFailures;

    public ChatMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        // No exemplars: the trace in scope is the WebSocket request's, one per connection for its
        // whole life, so linking it says nothing, and reading it cost ~1 % of CPU per post.
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = (_, _) => Exemplar.None };
        _opened = factory.CreateCounter("rawchat_connections_opened_total", "WebSocket connections accepted.");
        _closed = factory.CreateCounter("rawchat_connections_closed_total",
            "WebSocket connections ended, by close reason (normal, going_away, slow_consumer, token_expired, ...).", ["reason"]);
        _open = factory.CreateGauge("rawchat_connections_open", "WebSocket connections open on this node.");
        _rooms = factory.CreateGauge("rawchat_rooms_held",
            "Rooms this node holds, i.e. has local connections in and a Redis subscription for.");
        _received = factory.CreateCounter("rawchat_messages_received_total", "Posts that passed their checks and went to storage.");
        _stored = factory.CreateCounter("rawchat_messages_stored_total", "Messages committed to PostgreSQL.");
        _duplicates = factory.CreateCounter("rawchat_messages_duplicate_total",
            "Posts whose clientMsgId was already stored: acked as duplicate, not stored again.");
        _delivered = factory.CreateCounter("rawchat_messages_delivered_total",
            "Message frames handed to local connections by fan-out (one per connection per message).");
        _storeSeconds = factory.CreateHistogram("rawchat_store_duration_seconds", "Time to store one post in PostgreSQL.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
        _publishSeconds = factory.CreateHistogram("rawchat_publish_duration_seconds",
            "Time from handing a stored message to Redis until Redis answered its PUBLISH.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 14) });
        _publishFailures = factory.CreateCounter("rawchat_publish_failures_total",
            "PUBLISHes Redis did not take (the other nodes read those messages from PostgreSQL).");
        _refusals = factory.CreateCounter("rawchat_refusals_total",
            "Refusals by code: kind=\"http\" for HTTP answers (handshake, REST API), kind=\"frame\" for error frames.",
            ["kind", "code"]);
        _redisReconnects = factory.CreateCounter("rawchat_redis_reconnects_total",
            "Times a Redis connection was restored after it failed, by connection (interactive, subscription).", ["connection"]);

        _envelopesDropped = factory.CreateCounter("rawchat_bus_envelopes_dropped_total",
            "Envelopes from Redis that reached no socket, by channel (message, presence) and reason: invalid (not a frame of "
            + "that room, e.g. published by something else) or error (handling it threw).", ["channel", "reason"]);

        _quotaFailures = factory.CreateCounter("rawchat_quota_redis_failures_total",
            "Cluster-wide quota checks Redis did not answer, by quota: connections (a connect admitted on this node's own "
            + "count: failed open) or posts (a flush of post counts; each node holds users to the budget alone meanwhile).",
            ["quota"]);

        DotNetStats.Register(Registry); // process_* and dotnet_*: CPU, memory, GC, threads

        // Series worth alerting on exist from the start, at 0.
        _closed.WithLabels("slow_consumer");
        _redisReconnects.WithLabels("interactive");
        _redisReconnects.WithLabels("subscription");
        _quotaFailures.WithLabels(QuotaKinds.Connections);
        _quotaFailures.WithLabels(QuotaKinds.Posts);
        foreach (var channel in new[] { "message", "presence" })
        {
            _envelopesDropped.WithLabels(channel, "invalid");
            _envelopesDropped.WithLabels(channel, "error");
        }
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public void ConnectionOpened() => _opened.Inc();

    public void ConnectionClosed(string reason) => _closed.WithLabels(reason.Length == 0 ? "normal" : reason).Inc();

    public void HttpRefused(string code) => _refusals.WithLabels("http", code).Inc();

    public void RedisReconnected(string connection) => _redisReconnects.WithLabels(connection).Inc();

    /// <summary>The gauges are read when /metrics is scraped.</summary>
    public void ObserveGauges(Func<int> openConnections, Func<int> roomsHeld) =>
        Registry.AddBeforeCollectCallback(() =>
        {
            _open.Set(openConnections());
            _rooms.Set(roomsHeld());
        });

    public void MessageReceived() => _received.Inc();

    public void MessageStored(double seconds, bool duplicate)
    {
        _storeSeconds.Observe(seconds);
        (duplicate ? _duplicates : _stored).Inc();
    }

    public void MessagesDelivered(int connections)
    {
        if (connections > 0)
        {
            _delivered.Inc(connections);
        }
    }

    public void Published(double seconds) => _publishSeconds.Observe(seconds);

    public void PublishFailed() => _publishFailures.Inc();

    public void FrameRefused(string code) => _refusals.WithLabels("frame", code).Inc();

    public void EnvelopeDropped(string channel, string reason) => _envelopesDropped.WithLabels(channel, reason).Inc();

    public void QuotaFailedOpen(string quota) => _quotaFailures.WithLabels(quota).Inc();
}
