using System.Diagnostics.Metrics;
using RawChat.Core.Observability;

namespace RawChat.Api.Observability;

/// <summary>
/// Every metric of the service, as <see cref="System.Diagnostics.Metrics"/> instruments of the
/// <c>RawChat</c> meter: an OpenTelemetry setup collects them with <c>.AddMeter("RawChat")</c>.
/// The meter comes from this node's <see cref="IMeterFactory"/>, so two nodes in one process (the
/// tests) count apart. <see cref="PrometheusExport"/> serves them at <c>/metrics</c> under the
/// names scraped before the meter existed:
/// <code>
/// instrument                         Prometheus series (unchanged)           tags / labels
/// rawchat.connections.opened         rawchat_connections_opened_total        -
/// rawchat.connections.closed         rawchat_connections_closed_total        reason
/// rawchat.connections.open           rawchat_connections_open                -
/// rawchat.rooms.held                 rawchat_rooms_held                      -
/// rawchat.messages.received          rawchat_messages_received_total         -
/// rawchat.messages.stored            rawchat_messages_stored_total           -
/// rawchat.messages.duplicate         rawchat_messages_duplicate_total        -
/// rawchat.messages.delivered         rawchat_messages_delivered_total        -
/// rawchat.store.duration             rawchat_store_duration_seconds          - (histogram)
/// rawchat.publish.duration           rawchat_publish_duration_seconds        - (histogram)
/// rawchat.publish.failures           rawchat_publish_failures_total          -
/// rawchat.refusals                   rawchat_refusals_total                  kind, code
/// rawchat.redis.reconnects           rawchat_redis_reconnects_total          connection
/// rawchat.bus.envelopes_dropped      rawchat_bus_envelopes_dropped_total     channel, reason
/// rawchat.quota.redis_failures       rawchat_quota_redis_failures_total      quota
/// </code>
/// Tags are fixed codes from the protocol: no token, user, room or message text ever becomes a tag.
/// The hot path (posts, deliveries) records without tags, so without allocating.
/// </summary>
internal sealed class ChatMetrics : IChatMetrics
{
    public const string MeterName = "RawChat";

    /// <summary>The histograms' bucket bounds, as before (2x steps from 0.5 ms and from 0.1 ms), offered to any collector.</summary>
    internal static readonly double[] StoreBuckets = Doubling(0.0005, 14);
    internal static readonly double[] PublishBuckets = Doubling(0.0001, 14);

    private readonly Counter<long> _opened;
    private readonly Counter<long> _closed;
    private readonly Counter<long> _received;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _delivered;
    private readonly Histogram<double> _storeSeconds;
    private readonly Histogram<double> _publishSeconds;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _redisReconnects;
    private readonly Counter<long> _envelopesDropped;
    private readonly Counter<long> _quotaFailures;
    private Func<int> _openConnections = static () => 0;
    private Func<int> _roomsHeld = static () => 0;

    public ChatMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _opened = Meter.CreateCounter<long>("rawchat.connections.opened", "{connection}", "WebSocket connections accepted.");
        _closed = Meter.CreateCounter<long>("rawchat.connections.closed", "{connection}",
            "WebSocket connections ended, by close reason (normal, going_away, slow_consumer, token_expired, ...).");
        Meter.CreateObservableUpDownCounter("rawchat.connections.open", () => _openConnections(), "{connection}",
            "WebSocket connections open on this node.");
        Meter.CreateObservableUpDownCounter("rawchat.rooms.held", () => _roomsHeld(), "{room}",
            "Rooms this node holds, i.e. has local connections in and a Redis subscription for.");
        _received = Meter.CreateCounter<long>("rawchat.messages.received", "{message}",
            "Posts that passed their checks and went to storage.");
        _stored = Meter.CreateCounter<long>("rawchat.messages.stored", "{message}", "Messages committed to PostgreSQL.");
        _duplicates = Meter.CreateCounter<long>("rawchat.messages.duplicate", "{message}",
            "Posts whose clientMsgId was already stored: acked as duplicate, not stored again.");
        _delivered = Meter.CreateCounter<long>("rawchat.messages.delivered", "{message}",
            "Message frames handed to local connections by fan-out (one per connection per message).");
        _storeSeconds = Meter.CreateHistogram("rawchat.store.duration", "s", "Time to store one post in PostgreSQL.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = StoreBuckets });
        _publishSeconds = Meter.CreateHistogram("rawchat.publish.duration", "s",
            "Time from handing a stored message to Redis until Redis answered its PUBLISH.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = PublishBuckets });
        _publishFailures = Meter.CreateCounter<long>("rawchat.publish.failures", "{publish}",
            "PUBLISHes Redis did not take (the other nodes read those messages from PostgreSQL).");
        _refusals = Meter.CreateCounter<long>("rawchat.refusals", "{refusal}",
            "Refusals by code: kind=\"http\" for HTTP answers (handshake, REST API), kind=\"frame\" for error frames.");
        _redisReconnects = Meter.CreateCounter<long>("rawchat.redis.reconnects", "{reconnect}",
            "Times a Redis connection was restored after it failed, by connection (interactive, subscription).");
        _envelopesDropped = Meter.CreateCounter<long>("rawchat.bus.envelopes_dropped", "{envelope}",
            "Envelopes from Redis that reached no socket, by channel (message, presence) and reason: invalid (not a frame of "
            + "that room, e.g. published by something else) or error (handling it threw).");
        _quotaFailures = Meter.CreateCounter<long>("rawchat.quota.redis_failures", "{check}",
            "Cluster-wide quota checks Redis did not answer, by quota: connections (a connect admitted on this node's own "
            + "count: failed open) or posts (a flush of post counts; each node holds users to the budget alone meanwhile).");
    }

    public Meter Meter { get; }

    public void ConnectionOpened() => _opened.Add(1);

    public void ConnectionClosed(string reason) => _closed.Add(1, new KeyValuePair<string, object?>("reason", reason.Length == 0 ? "normal" : reason));

    public void HttpRefused(string code) => _refusals.Add(1, new("kind", "http"), new("code", code));

    public void RedisReconnected(string connection) => _redisReconnects.Add(1, new KeyValuePair<string, object?>("connection", connection));

    /// <summary>What the two gauges read whenever they are collected (a scrape of /metrics, an OpenTelemetry reader).</summary>
    public void ObserveGauges(Func<int> openConnections, Func<int> roomsHeld)
    {
        _openConnections = openConnections;
        _roomsHeld = roomsHeld;
    }

    public void MessageReceived() => _received.Add(1);

    public void MessageStored(double seconds, bool duplicate)
    {
        _storeSeconds.Record(seconds);
        (duplicate ? _duplicates : _stored).Add(1);
    }

    public void MessagesDelivered(int connections)
    {
        if (connections > 0)
        {
            _delivered.Add(connections);
        }
    }

    public void Published(double seconds) => _publishSeconds.Record(seconds);

    public void PublishFailed() => _publishFailures.Add(1);

    public void FrameRefused(string code) => _refusals.Add(1, new("kind", "frame"), new("code", code));

    public void EnvelopeDropped(string channel, string reason) => _envelopesDropped.Add(1, new("channel", channel), new("reason", reason));

    public void QuotaFailedOpen(string quota) => _quotaFailures.Add(1, new KeyValuePair<string, object?>("quota", quota));

    private static double[] Doubling(double first, int count) =>
        [.. Enumerable.Range(0, count).Select(i => first * Math.Pow(2, i))];
}
