using RawChat.Core.Auth;

namespace RawChat.Api.Sockets;

/// <summary>A WebSocket request that passed every check of docs/protocol.md §1 and may be upgraded.</summary>
internal sealed record ChatHandshake(ChatUser User, string Room, long? Since, string? Subprotocol);
