using NUnit.Framework;
using RawChat.Core.Chat;
using RawChat.Core.Fanout;
using RawChat.Core.Protocol;

namespace RawChat.Tests.Unit;

/// <summary>
/// A socket's outbox is bounded in bytes: fan-out that does not fit closes the socket as a slow
/// consumer at once; the connection's own answers wait for room, and a client that takes nothing
/// for the stall timeout meanwhile is a slow consumer too.
/// </summary>
public sealed class ConnectionOutboxTests
{
    [Test]
    public void Fan_out_past_the_byte_bound_closes_the_socket_slow_consumer()
    {
        var outbox = new ConnectionOutbox(maxBytes: 1000, Timeout.InfiniteTimeSpan);

        Assert.That(outbox.TryEnqueue(new byte[600]), Is.True);
        Assert.That(outbox.TryEnqueue(new byte[400]), Is.True, "exactly at the bound still fits");
        Assert.That(outbox.TryEnqueue(new byte[1]), Is.False);

        Assert.That(outbox.CloseRequested.IsCompletedSuccessfully, Is.True);
        Assert.That(outbox.CloseRequested.Result, Is.EqualTo(CloseReason.SlowConsumer));
    }

    [Test]
    public void A_frame_larger_than_the_bound_goes_when_the_queue_is_empty()
    {
        var outbox = new ConnectionOutbox(maxBytes: 1000, Timeout.InfiniteTimeSpan);

        Assert.That(outbox.TryEnqueue(new byte[5000]), Is.True);
        Assert.That(outbox.IsClosing, Is.False);
        Assert.That(outbox.QueuedBytes, Is.EqualTo(5000));
    }

    [Test]
    public async Task An_answer_waits_until_the_send_loop_made_room()
    {
        var outbox = new ConnectionOutbox(maxBytes: 1000, Timeout.InfiniteTimeSpan);
        outbox.TryEnqueue(new byte[900]);

        var waiting = outbox.EnqueueAsync(new byte[300], CancellationToken.None).AsTask();
        await Task.Yield();
        Assert.That(waiting.IsCompleted, Is.False, "900 + 300 does not fit in 1000");

        Assert.That(outbox.Reader.TryRead(out var sent), Is.True);
        outbox.Sent(sent.Length);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(outbox.QueuedBytes, Is.EqualTo(300));
        Assert.That(outbox.IsClosing, Is.False);
    }

    [Test]
    public async Task A_client_that_takes_nothing_for_the_stall_timeout_while_an_answer_waits_is_a_slow_consumer()
    {
        var outbox = new ConnectionOutbox(maxBytes: 1000, TimeSpan.FromMilliseconds(200));
        outbox.TryEnqueue(new byte[900]);

        await outbox.EnqueueAsync(new byte[300], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(outbox.CloseRequested.IsCompletedSuccessfully, Is.True);
        Assert.That(outbox.CloseRequested.Result, Is.EqualTo(CloseReason.SlowConsumer));
        Assert.That(outbox.QueuedBytes, Is.EqualTo(900), "the answer that did not fit was dropped");
    }

    [Test]
    public void Live_frames_held_back_during_a_replay_past_the_byte_bound_close_the_socket_slow_consumer()
    {
        var outbox = new ConnectionOutbox(maxBytes: 1_000_000, Timeout.InfiniteTimeSpan);
        var membership = new RoomMembership(outbox, "r", pendingLimitBytes: 1000);

        membership.Deliver(1, new byte[600]);
        membership.Deliver(2, new byte[400]);
        Assert.That(outbox.IsClosing, Is.False, "held, up to the bound");
        membership.Deliver(3, new byte[1]);

        Assert.That(outbox.CloseRequested.Result, Is.EqualTo(CloseReason.SlowConsumer));
    }
}
