using System.Diagnostics.Metrics;
using Prometheus;

namespace RawChat.Api.Observability;

/// <summary>
/// This node's <c>RawChat</c> meter in a prometheus-net registry of its own, under the series names
/// and types served before (see the table on <see cref="ChatMetrics"/>), plus prometheus-net's
/// process_* and dotnet_* series. A <see cref="MeterListener"/> hands each measurement to the
/// collector prepared for its instrument; an untagged one (every measurement on the post and
/// delivery path) is a delegate call and an add, nothing allocated.
/// <para>
/// Not prometheus-net's own <c>MeterAdapter</c> (8.2.1): it serves every counter as a gauge,
/// creates a series only at its first measurement and drops it after minutes without one (so the
/// series alerts watch would not sit at 0), and sorts and copies the tags of every measurement.
/// </para>
/// </summary>
internal sealed class PrometheusExport : IDisposable
{
    private readonly MeterListener _listener = new();

    public PrometheusExport(ChatMetrics metrics)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        // No exemplars: the trace in scope is rarely the measured post's, and reading it costs CPU per post.
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = (_, _) => Exemplar.None };
        var series = new Dictionary<string, Func<string, Sink>>(StringComparer.Ordinal)
        {
            ["rawchat.connections.opened"] = Counter("rawchat_connections_opened_total"),
            ["rawchat.connections.closed"] = Counter("rawchat_connections_closed_total", ["reason"], [["slow_consumer"]]),
            ["rawchat.connections.open"] = Gauge("rawchat_connections_open"),
            ["rawchat.rooms.held"] = Gauge("rawchat_rooms_held"),
            ["rawchat.messages.received"] = Counter("rawchat_messages_received_total"),
            ["rawchat.messages.stored"] = Counter("rawchat_messages_stored_total"),
            ["rawchat.messages.duplicate"] = Counter("rawchat_messages_duplicate_total"),
            ["rawchat.messages.delivered"] = Counter("rawchat_messages_delivered_total"),
            ["rawchat.store.duration"] = Histogram("rawchat_store_duration_seconds", ChatMetrics.StoreBuckets),
            ["rawchat.publish.duration"] = Histogram("rawchat_publish_duration_seconds", ChatMetrics.PublishBuckets),
            ["rawchat.publish.failures"] = Counter("rawchat_publish_failures_total"),
            ["rawchat.refusals"] = Counter("rawchat_refusals_total", ["kind", "code"]),
            // Series worth alerting on exist from the start, at 0.
            ["rawchat.redis.reconnects"] = Counter("rawchat_redis_reconnects_total", ["connection"], [["interactive"], ["subscription"]]),
            ["rawchat.bus.envelopes_dropped"] = Counter("rawchat_bus_envelopes_dropped_total", ["channel", "reason"],
                [["message", "invalid"], ["message", "error"], ["presence", "invalid"], ["presence", "error"]]),
            ["rawchat.quota.redis_failures"] = Counter("rawchat_quota_redis_failures_total", ["quota"], [["connections"], ["posts"]]),
        };
        DotNetStats.Register(Registry); // process_* and dotnet_*: CPU, memory, GC, threads

        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // The help text is the instrument's description: one text for both exports.
            if (instrument.Meter == meter && series.TryGetValue(instrument.Name, out var create))
            {
                listener.EnableMeasurementEvents(instrument, create(instrument.Description ?? ""));
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, sink) => ((Sink)sink!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, sink) => ((Sink)sink!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, sink) => ((Sink)sink!).Record(value, tags));
        _listener.Start(); // publishes the meter's instruments, all made by ChatMetrics's constructor: every series exists now
        Registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments); // the gauges, read per scrape

        Func<string, Sink> Counter(string name, string[]? labels = null, string[][]? zeros = null) => help =>
        {
            var counter = factory.CreateCounter(name, help, labels ?? []);
            foreach (var values in zeros ?? [])
            {
                counter.WithLabels(values);
            }

            return new CounterSink(counter, labels ?? []);
        };

        Func<string, Sink> Gauge(string name) => help => new GaugeSink(factory.CreateGauge(name, help));

        Func<string, Sink> Histogram(string name, double[] buckets) => help =>
            new HistogramSink(factory.CreateHistogram(name, help, new HistogramConfiguration { Buckets = buckets }));
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public void Dispose() => _listener.Dispose();

    private abstract class Sink
    {
        public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);
    }

    private sealed class CounterSink(Counter counter, string[] labels) : Sink
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (labels.Length == 0)
            {
                counter.Inc(value);
                return;
            }

            // Tagged counts are refusals, closes and failures: not per post, so an array is fine.
            var values = new string[labels.Length];
            for (var i = 0; i < labels.Length; i++)
            {
                values[i] = ValueOf(tags, labels[i]);
            }

            counter.WithLabels(values).Inc(value);
        }

        private static string ValueOf(ReadOnlySpan<KeyValuePair<string, object?>> tags, string label)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == label)
                {
                    return tag.Value as string ?? "";
                }
            }

            return "";
        }
    }

    private sealed class GaugeSink(Gauge gauge) : Sink
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => gauge.Set(value);
    }

    private sealed class HistogramSink(Histogram histogram) : Sink
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => histogram.Observe(value);
    }
}
