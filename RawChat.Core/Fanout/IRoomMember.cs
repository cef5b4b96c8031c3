namespace RawChat.Core.Fanout;

/// <summary>One local connection's place in a room: it receives the room's frames in seq order.</summary>
public interface IRoomMember
{
    /// <summary>Called in seq order, once per seq, without blocking.</summary>
    void Deliver(long seq, ReadOnlyMemory<byte> frame);
}
