using System.Buffers.Binary;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Core.Fanout;

/// <summary>
/// What travels on a room's Redis channel: the seq (8 bytes, little-endian) and then the message
/// frame exactly as sockets receive it, so a node orders by seq without parsing JSON and sends
/// the same bytes on.
/// </summary>
public static class BusEnvelope
{
    private const int HeaderLength = sizeof(long);

    /// <summary>The envelope of a stored message; its frame is <see cref="FrameOf"/> of it, not a copy.</summary>
    public static byte[] Create(StoredMessage message)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteInt64LittleEndian(header, message.Seq);
        return ServerFrames.Message(header, message);
    }

    public static ReadOnlyMemory<byte> FrameOf(byte[] envelope) => envelope.AsMemory(HeaderLength);

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
