using NUnit.Framework;
using RawChat.Api.Sockets;

namespace RawChat.Tests.Unit;

/// <summary>
/// The scanner finds frame headers in the client's byte stream however it is cut, turns text
/// opcodes into binary ones and remembers, per message, whether it was text.
/// </summary>
public sealed class InboundFrameScannerTests
{
    [Test]
    public void A_text_frame_reaches_the_runtime_as_binary_and_is_remembered_as_text()
    {
        var bytes = Frame(opcode: 0x1, fin: true, payload: "{}"u8.ToArray());
        var scanner = new InboundFrameScanner();

        scanner.Scan(bytes);

        Assert.That(bytes[0], Is.EqualTo(0x82), "FIN kept, opcode text (1) became binary (2)");
        Assert.That(scanner.NextMessageIsText(), Is.True);
    }

    [Test]
    public void A_binary_frame_passes_unchanged_and_is_remembered_as_binary()
    {
        var bytes = Frame(opcode: 0x2, fin: true, payload: [1, 2, 3]);
        var scanner = new InboundFrameScanner();

        scanner.Scan(bytes);

        Assert.That(bytes[0], Is.EqualTo(0x82));
        Assert.That(scanner.NextMessageIsText(), Is.False);
    }

    [Test]
    public void Fragments_and_control_frames_between_them_count_as_one_message_and_are_not_rewritten()
    {
        var stream = Concat(
            Frame(0x1, fin: false, payload: "{\"mess"u8.ToArray()),
            Frame(0x9, fin: true, payload: "ping"u8.ToArray()),
            Frame(0x0, fin: true, payload: "age\":\"hi\"}"u8.ToArray()),
            Frame(0x2, fin: true, payload: new byte[300]),
            Frame(0x1, fin: true, payload: new byte[70_000]));
        var scanner = new InboundFrameScanner();

        scanner.Scan(stream);

        Assert.That(scanner.NextMessageIsText(), Is.True);
        Assert.That(scanner.NextMessageIsText(), Is.False);
        Assert.That(scanner.NextMessageIsText(), Is.True);
        Assert.That(scanner.NextMessageIsText(), Is.False, "no fourth message: a message never seen counts as binary");
    }

    [Test]
    public void Headers_cut_at_every_byte_boundary_are_still_found()
    {
        // 7-bit, 16-bit and 64-bit lengths, masked as clients must send them.
        var original = Concat(
            Frame(0x1, fin: true, payload: new byte[5]),
            Frame(0x2, fin: true, payload: new byte[200]),
            Frame(0x1, fin: true, payload: new byte[66_000]),
            Frame(0x8, fin: true, payload: [0x03, 0xE8]));
        for (var chunk = 1; chunk <= 17; chunk++)
        {
            var bytes = (byte[])original.Clone();
            var scanner = new InboundFrameScanner();
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                scanner.Scan(bytes.AsSpan(offset, Math.Min(chunk, bytes.Length - offset)));
            }

            Assert.That(new[] { scanner.NextMessageIsText(), scanner.NextMessageIsText(), scanner.NextMessageIsText() },
                Is.EqualTo(new[] { true, false, true }), $"chunks of {chunk} bytes");
            Assert.That(bytes.Count(b => b == 0x81), Is.Zero, $"chunks of {chunk} bytes: every text opcode rewritten");
        }
    }

    /// <summary>A client frame (always masked, with an all-zero mask key so the payload reads as sent).</summary>
    private static byte[] Frame(byte opcode, bool fin, byte[] payload)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (payload.Length < 126)
        {
            header.Add((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header.AddRange([0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        else
        {
            header.Add(0x80 | 127);
            for (var shift = 56; shift >= 0; shift -= 8)
            {
                header.Add((byte)((long)payload.Length >> shift));
            }
        }

        header.AddRange([0, 0, 0, 0]); // mask key
        return [.. header, .. payload];
    }

    private static byte[] Concat(params byte[][] frames) => [.. frames.SelectMany(f => f)];
}
