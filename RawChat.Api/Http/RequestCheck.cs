namespace RawChat.Api.Http;

/// <summary>
/// An endpoint's own checks of its request (route, query, headers), answered before the token is
/// looked at: docs/protocol.md §6 refuses a malformed request with 400 whatever its token. <see cref="BearerGate"/>,
/// the group's filter, runs it first.
/// </summary>
internal sealed record RequestCheck(Func<HttpRequest, Refusal?> Refuse)
{
    /// <summary>400 <c>invalid_room</c> unless the route's <c>{room}</c> is a valid room name.</summary>
    public static Refusal? Room(HttpRequest request) =>
        Core.Protocol.RoomName.IsValid(request.RouteValues["room"] as string)
            ? null
            : new Refusal(StatusCodes.Status400BadRequest, Core.Protocol.ErrorCodes.InvalidRoom, "invalid room name");
}

internal static class RequestCheckExtensions
{
    public static RouteHandlerBuilder CheckedBeforeToken(this RouteHandlerBuilder endpoint, Func<HttpRequest, Refusal?> refuse) =>
        endpoint.WithMetadata(new RequestCheck(refuse));
}
