using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace RawChat.Api.Http;

// The JSON bodies of the HTTP API as the OpenAPI document names them. ServerFrames writes the bodies
// (the same bytes as the socket frames, docs/protocol.md); these records only describe their shape.

[Description("A refusal: a machine-readable code and a human text. Never quotes the token.")]
internal sealed record RefusalBody(
    [property: Required, Description("invalid_room, invalid_parameter, invalid_token, forbidden, forbidden_room, rate_limited, unavailable, …")] string Error,
    [property: Required] string Detail);

[Description("A stored message, shaped like the socket's message frame.")]
[JsonNumberHandling(JsonNumberHandling.Strict)] // numbers are written as numbers, never strings
internal sealed record MessageFrame(
    [property: Required, Description("Always \"message\".")] string Type,
    [property: Required, Description("Unique across the service.")] long Id,
    [property: Required] string Room,
    [property: Required, Description("1, 2, 3, … within the room, no gaps, in commit order.")] long Seq,
    [property: Required, Description("Display name.")] string User,
    [property: Required] string UserId,
    [property: Required] string Message,
    [property: Required, Description("RFC 3339, UTC, Z, exactly six fractional digits.")] string Timestamp,
    [property: Description("Present only when the sender gave one (or an Idempotency-Key).")] string? ClientMsgId = null);

[Description("A page of stored messages, oldest first, paged like the socket's history frame.")]
internal sealed record MessagePage(
    [property: Required] string Room,
    [property: Required] IReadOnlyList<MessageFrame> Messages,
    [property: Required, Description("The room holds messages older than the first one returned.")] bool HasMore);

[Description("The stored message: the message frame's fields without type, plus duplicate.")]
[JsonNumberHandling(JsonNumberHandling.Strict)] // numbers are written as numbers, never strings
internal sealed record PublishedMessage(
    [property: Required] long Id,
    [property: Required] string Room,
    [property: Required] long Seq,
    [property: Required] string User,
    [property: Required] string UserId,
    [property: Required] string Message,
    [property: Required] string Timestamp,
    [property: Required, Description("true: this Idempotency-Key was already stored; the first message comes back.")] bool Duplicate,
    [property: Description("The Idempotency-Key, when the request had one.")] string? ClientMsgId = null);

[Description("A ticket that opens one socket (/ws/chat?ticket=…) on any node before it expires.")]
internal sealed record TicketAnswer(
    [property: Required] string Ticket,
    [property: Required, Description("RFC 3339, UTC.")] string ExpiresAt);
