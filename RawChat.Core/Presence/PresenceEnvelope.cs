using RawChat.Core.Protocol;

namespace RawChat.Core.Presence;

/// <summary>
/// What travels on a room's presence-event channel: the sending node's id (16 bytes) and the
/// frame exactly as sockets receive it. The sending node has already served its own sockets, so
/// it skips its own envelopes.
/// </summary>
public static class PresenceEnvelope
{
    private const int HeaderLength = 16;

    public static byte[] Encode(Guid origin, ReadOnlySpan<byte> frame)
    {
        var payload = new byte[HeaderLength + frame.Length];
        origin.TryWriteBytes(payload);
        frame.CopyTo(payload.AsSpan(HeaderLength));
        return payload;
    }

    /// <summary>
    /// Reads an envelope from <paramref name="room"/>'s presence channel: false unless its frame is a
    /// presence event or typing frame of that room (<see cref="FrameShape.IsPresenceEvent"/>).
    /// </summary>
    public static bool TryDecode(byte[]? payload, string room, out Guid origin, out ReadOnlyMemory<byte> frame)
    {
        origin = Guid.Empty;
        frame = default;
        if (payload is null || payload.Length <= HeaderLength || !FrameShape.IsPresenceEvent(payload.AsSpan(HeaderLength), room))
        {
            return false;
        }

        origin = new Guid(payload.AsSpan(0, HeaderLength));
        frame = payload.AsMemory(HeaderLength);
        return true;
    }
}
