using NUnit.Framework;
using RawChat.Core.Fanout;

namespace RawChat.Tests.Unit;

/// <summary>One room's frames leave in seq order, each once (docs/protocol.md §3.4).</summary>
public sealed class RoomSequencerTests
{
    private readonly List<(long Seq, string Frame)> _delivered = [];

    [SetUp]
    public void ForgetDeliveries() => _delivered.Clear();

    [Test]
    public void Frames_offered_in_order_are_delivered_at_once()
    {
        var sequencer = Started(0);

        Offer(sequencer, 1, 2, 3);

        Assert.That(_delivered, Is.EqualTo(new[] { (1L, "f1"), (2L, "f2"), (3L, "f3") }));
        Assert.That(sequencer.Delivered, Is.EqualTo(3));
        Assert.That(sequencer.HasGap, Is.False);
    }

    [Test]
    public void Seqs_already_delivered_are_dropped()
    {
        var sequencer = Started(0);
        Offer(sequencer, 1, 2);

        Offer(sequencer, 2, 1, 2);

        Assert.That(Seqs(), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public void A_frame_after_a_gap_waits_until_the_gap_is_filled()
    {
        var sequencer = Started(0);

        Offer(sequencer, 3);
        Assert.That(_delivered, Is.Empty);
        Assert.That(sequencer.HasGap, Is.True);

        Offer(sequencer, 2);
        Assert.That(_delivered, Is.Empty);

        Offer(sequencer, 1);
        Assert.That(Seqs(), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(sequencer.HasGap, Is.False);
        Assert.That(sequencer.Delivered, Is.EqualTo(3));
    }

    [Test]
    public void A_frame_offered_twice_while_waiting_is_delivered_once()
    {
        var sequencer = Started(0);

        Offer(sequencer, 3, 3, 2, 3, 1, 3);

        Assert.That(Seqs(), Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test]
    public void Frames_keep_their_own_bytes_through_reordering()
    {
        var sequencer = Started(0);

        Offer(sequencer, 2, 1);

        Assert.That(_delivered, Is.EqualTo(new[] { (1L, "f1"), (2L, "f2") }));
    }

    [Test]
    public void Delivery_starts_after_the_baseline()
    {
        var sequencer = Started(10);

        Offer(sequencer, 9, 10, 11);

        Assert.That(Seqs(), Is.EqualTo(new long[] { 11 }));
        Assert.That(sequencer.Delivered, Is.EqualTo(11));
    }

    [Test]
    public void Frames_offered_before_start_wait()
    {
        var sequencer = new RoomSequencer();

        Offer(sequencer, 1, 2);

        Assert.That(_delivered, Is.Empty);
        Assert.That(sequencer.Started, Is.False);
        Assert.That(sequencer.HasGap, Is.False);
    }

    [Test]
    public void At_start_waiting_frames_up_to_the_baseline_are_dropped_and_later_ones_delivered()
    {
        var sequencer = new RoomSequencer();
        Offer(sequencer, 3, 4, 5, 6);

        sequencer.Start(4, Record);

        Assert.That(_delivered, Is.EqualTo(new[] { (5L, "f5"), (6L, "f6") }));
        Assert.That(sequencer.Delivered, Is.EqualTo(6));
        Assert.That(sequencer.HasGap, Is.False);
    }

    [Test]
    public void At_start_a_waiting_frame_past_a_gap_keeps_waiting_for_the_gap()
    {
        var sequencer = new RoomSequencer();
        Offer(sequencer, 7);

        sequencer.Start(4, Record);
        Assert.That(_delivered, Is.Empty);
        Assert.That(sequencer.HasGap, Is.True);

        Offer(sequencer, 6, 5);
        Assert.That(Seqs(), Is.EqualTo(new long[] { 5, 6, 7 }));
    }

    private RoomSequencer Started(long baseline)
    {
        var sequencer = new RoomSequencer();
        sequencer.Start(baseline, Record);
        return sequencer;
    }

    private void Offer(RoomSequencer sequencer, params long[] seqs)
    {
        foreach (var seq in seqs)
        {
            sequencer.Offer(seq, System.Text.Encoding.UTF8.GetBytes($"f{seq}"), Record);
        }
    }

    private void Record(long seq, ReadOnlyMemory<byte> frame) =>
        _delivered.Add((seq, System.Text.Encoding.UTF8.GetString(frame.Span)));

    private long[] Seqs() => [.. _delivered.Select(d => d.Seq)];
}
