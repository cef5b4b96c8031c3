using NUnit.Framework;
using RawChat.Api.Sockets;

namespace RawChat.Tests.Unit;

/// <summary>The send loop's cork: a run of frames leaves in one write, in order, and nothing is lost or held.</summary>
public sealed class CoalescingStreamTests
{
    [Test]
    public async Task Frames_written_while_corked_leave_in_one_write_in_order()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner);

        stream.Cork();
        await stream.WriteAsync("ack,"u8.ToArray());
        await stream.WriteAsync("message,"u8.ToArray());
        await stream.WriteAsync("pong"u8.ToArray());
        Assert.That(inner.Writes, Is.Empty, "nothing leaves while corked");

        await stream.UncorkAsync();
        Assert.That(inner.Writes, Is.EqualTo(new[] { "ack,message,pong" }));
    }

    [Test]
    public async Task Uncorked_writes_go_straight_through()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner);

        await stream.WriteAsync("ping"u8.ToArray());
        await stream.WriteAsync("close"u8.ToArray());
        await stream.UncorkAsync(); // nothing buffered: no empty write

        Assert.That(inner.Writes, Is.EqualTo(new[] { "ping", "close" }));
    }

    [Test]
    public async Task A_run_larger_than_the_limit_is_sent_as_it_grows_and_keeps_its_order()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner);
        var frame = new byte[CoalescingStream.MaxBufferedBytes / 3 + 1];

        stream.Cork();
        for (var i = 0; i < 7; i++)
        {
            Array.Fill(frame, (byte)('a' + i));
            await stream.WriteAsync(frame);
        }

        Assert.That(inner.Writes, Is.Not.Empty, "a big run does not wait for the uncork");
        await stream.UncorkAsync();

        var sent = string.Concat(inner.Writes);
        var expected = string.Concat(Enumerable.Range(0, 7).Select(i => new string((char)('a' + i), frame.Length)));
        Assert.That(sent, Is.EqualTo(expected));
        Assert.That(inner.Writes.Max(w => w.Length), Is.LessThanOrEqualTo(CoalescingStream.MaxBufferedBytes + frame.Length));
    }

    private sealed class RecordingStream : MemoryStream
    {
        public List<string> Writes { get; } = [];

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(System.Text.Encoding.ASCII.GetString(buffer.Span));
            return ValueTask.CompletedTask;
        }
    }
}
