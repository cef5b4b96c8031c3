using System.Buffers.Binary;

namespace RawChat.Core.Fanout;

/// <summary>
/// What travels on a room's Redis channel: the seq (8 bytes, little-endian) and then the message
/// frame exactly as sockets receive it, so a node orders by seq without parsing JSON and sends
/// the same bytes on.
/// </summary>
public static class BusEnvelope
{
    private const int HeaderLength = sizeof(long);

    public static byte[] Encode(long seq, ReadOnlySpan<byte> frame)
    {
        var payload = new byte[HeaderLength + frame.Length];
        BinaryPrimitives.WriteInt64LittleEndian(payload, seq);
        frame.CopyTo(payload.AsSpan(HeaderLength));
        return payload;
    }

    public static bool TryDecode(byte[]? payload, out long seq, out ReadOnlyMemory<byte> frame)
    {
        if (payload is null || payload.Length <= HeaderLength)
        {
            seq = 0;
            frame = default;
            return false;
        }

        seq = BinaryPrimitives.ReadInt64LittleEndian(payload);
        frame = payload.AsMemory(HeaderLength);
        return seq > 0;
    }
}
