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

    /// <summary>
    /// Reads an envelope from <paramref name="room"/>'s channel: false unless it holds a positive seq
    /// and a well-formed message frame of that room carrying that same seq (<see cref="FrameShape.IsMessage"/>),
    /// so nothing else published on the channel reaches a socket.
    /// </summary>
    public static bool TryDecode(byte[]? payload, string room, out long seq, out ReadOnlyMemory<byte> frame)
    {
        seq = 0;
        frame = default;
        if (payload is null || payload.Length <= HeaderLength)
        {
            return false;
        }

        var claimed = BinaryPrimitives.ReadInt64LittleEndian(payload);
        if (claimed <= 0 || !FrameShape.IsMessage(payload.AsSpan(HeaderLength), room, claimed))
        {
            return false;
        }

        seq = claimed;
        frame = payload.AsMemory(HeaderLength);
        return true;
    }
}
