using System.Collections.Concurrent;
using NUnit.Framework;
using RawChat.Core.Fanout;
using RawChat.Core.Observability;
using RawChat.Tests.Support;

namespace RawChat.Tests.Unit;

/// <summary>The boundary between a Redis subscription and a node's handlers: nothing thrown gets through, every drop counts.</summary>
public sealed class EnvelopeGuardTests
{
    private Drops _metrics = null!;
    private LogCapture _logs = null!;

    [SetUp]
    public void Fresh()
    {
        _metrics = new Drops();
        _logs = new LogCapture();
    }

    [TearDown]
    public void DisposeLogs() => _logs.Dispose();

    [Test]
    public void A_handler_that_throws_is_counted_and_logged_once_a_minute_and_the_next_envelope_is_handled()
    {
        var guard = new EnvelopeGuard(EnvelopeGuard.MessageChannel, _metrics, _logs.CreateLogger("test"));
        var handled = new List<string>();

        for (var i = 0; i < 5; i++)
        {
            Assert.DoesNotThrow(() => guard.Handle("r", [1], (_, _) => throw new InvalidOperationException("a bug")));
        }

        guard.Handle("r", [2], (room, _) =>
        {
            handled.Add(room);
            return true;
        });

        Assert.That(_metrics.Counted, Is.EqualTo(Enumerable.Repeat(("message", "error"), 5)));
        Assert.That(handled, Is.EqualTo(new[] { "r" }));
        Assert.That(_logs.Lines.Count(l => l.Contains("[241]", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(_logs.Lines.Single(), Does.Contain("a bug").And.Contain("Room=r"));
    }

    [Test]
    public void An_envelope_the_handler_finds_invalid_is_counted_and_logged_once_a_minute_without_its_bytes()
    {
        var guard = new EnvelopeGuard(EnvelopeGuard.PresenceChannel, _metrics, _logs.CreateLogger("test"));

        for (var i = 0; i < 3; i++)
        {
            guard.Handle("r", "SECRET-PAYLOAD"u8.ToArray(), (_, _) => false);
        }

        Assert.That(_metrics.Counted, Is.EqualTo(Enumerable.Repeat(("presence", "invalid"), 3)));
        Assert.That(_logs.Lines, Has.Count.EqualTo(1));
        Assert.That(_logs.Lines.Single(), Does.Contain("[240]").And.Not.Contain("SECRET"));
    }

    private sealed class Drops : IChatMetrics
    {
        public ConcurrentQueue<(string Channel, string Reason)> Counted { get; } = new();

        public void EnvelopeDropped(string channel, string reason) => Counted.Enqueue((channel, reason));

        public void MessageReceived()
        {
        }

        public void MessageStored(double seconds, bool duplicate)
        {
        }

        public void MessagesDelivered(int connections)
        {
        }

        public void Published(double seconds)
        {
        }

        public void PublishFailed()
        {
        }

        public void FrameRefused(string code)
        {
        }

        public void QuotaFailedOpen(string quota)
        {
        }
    }
}
