using RawChat.Api.Auth;
using RawChat.Core.Auth;
using RawChat.Core.Rooms;

namespace RawChat.Api.Http;

/// <summary>
/// The <c>/api</c> group's door, in docs/protocol.md §6's order: the endpoint's own <see cref="RequestCheck"/>
/// (400), then the Bearer token (401 <c>invalid_token</c>, or 503 <c>unavailable</c> while the identity
/// provider's keys cannot be read). The handler behind it finds the caller with <see cref="BearerGateExtensions.Caller"/>.
/// </summary>
internal sealed class BearerGate(TokenValidator tokens, UserDirectory users) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.GetEndpoint()?.Metadata.GetMetadata<RequestCheck>()?.Refuse(http.Request) is { } malformed)
        {
            return malformed;
        }

        var outcome = await tokens.ValidateAsync(TokenSources.FromAuthorizationHeader(http.Request)).ConfigureAwait(false);
        if (outcome.User is not { } user)
        {
            return outcome.Unavailable ? Refusal.KeysUnavailable(outcome) : Refusal.InvalidToken(outcome.FailureDetail);
        }

        http.Features.Set(user);
        users.Seen(user.UserId, user.Name);
        return await next(context).ConfigureAwait(false);
    }
}

internal static class BearerGateExtensions
{
    /// <summary>The user whose token <see cref="BearerGate"/> accepted for this request.</summary>
    public static ChatUser Caller(this HttpContext context) =>
        context.Features.Get<ChatUser>() ?? throw new InvalidOperationException("the endpoint is outside the /api group");
}
