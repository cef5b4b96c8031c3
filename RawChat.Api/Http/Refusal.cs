using RawChat.Api.Observability;
using RawChat.Core.Protocol;

namespace RawChat.Api.Http;

/// <summary>
/// An HTTP refusal with the small JSON body of docs/protocol.md §1: <c>{"error", "detail"}</c>. The socket
/// handshake writes it; the API's handlers and filters return it as their typed result.
/// </summary>
internal sealed record Refusal(int Status, string Code, string Detail) : IResult, IStatusCodeHttpResult
{
    public int? RetryAfterSeconds { get; init; }

    int? IStatusCodeHttpResult.StatusCode => Status;

    /// <summary>401 <c>invalid_token</c>, with the reason the validator gave (never the token itself).</summary>
    public static Refusal InvalidToken(string? detail) => new(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken, detail ?? "invalid token");

    /// <summary>503 <c>unavailable</c>: the token cannot be checked yet because the JWKS cannot be read.</summary>
    public static Refusal KeysUnavailable(Core.Auth.TokenValidationOutcome outcome) =>
        new(503, ErrorCodes.Unavailable, outcome.FailureDetail!) { RetryAfterSeconds = 5 };

    /// <summary>429 <c>too_many_connections</c>: the user is at its cluster-wide connection limit.</summary>
    public static Refusal TooManyConnections() =>
        new(StatusCodes.Status429TooManyRequests, ErrorCodes.TooManyConnections,
            "you hold the most connections one user may have across the service; close one first")
        { RetryAfterSeconds = 10 };

    /// <summary>503 <c>over_capacity</c>: this node, or this user on this node, is at its connection limit.</summary>
    public static Refusal OverCapacity() =>
        new(StatusCodes.Status503ServiceUnavailable, ErrorCodes.OverCapacity, "this node or this user is at its connection limit")
        { RetryAfterSeconds = 5 };

    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext);

    public Task WriteAsync(HttpContext context)
    {
        context.RequestServices.GetService<ChatMetrics>()?.HttpRefused(Code);
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json";
        if (Status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        }

        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var body = ServerFrames.Refusal(Code, Detail);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
