namespace RawChat.Api.Http;

/// <summary>
/// The HTTP API (docs/protocol.md §5), one group under <c>/api</c>. The group's filters answer what
/// every endpoint shares: <see cref="BearerGate"/> (the endpoint's own 400s, then the token: 401, or 503
/// while the identity provider's keys cannot be read) and <see cref="ReadGateRefusal"/> (429). Each
/// endpoint then answers its own 403s, 5xx and success.
/// </summary>
internal static class ChatApi
{
    /// <returns>The group, for the endpoints mapped beside these (the rooms API).</returns>
    public static RouteGroupBuilder MapChatApi(this WebApplication app)
    {
        var api = app.MapGroup("/api")
            .AddEndpointFilter<BearerGate>()
            .AddEndpointFilter<ReadGateRefusal>()
            .RequiresBearerInDocument()
            .Refuses(StatusCodes.Status401Unauthorized, "invalid_token: the Bearer token is missing or not valid (WWW-Authenticate: Bearer)")
            .Refuses(StatusCodes.Status503ServiceUnavailable,
                "unavailable, with Retry-After: the identity provider's keys, storage or Redis cannot be reached now");
        api.MapMessages();
        api.MapPublish();
        api.MapTickets();
        return api;
    }
}
