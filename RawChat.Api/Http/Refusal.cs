using RawChat.Api.Observability;
using RawChat.Core.Protocol;

namespace RawChat.Api.Http;

/// <summary>An HTTP refusal with the small JSON body of PROTOCOL §1: <c>{"error", "detail"}</c>.</summary>
internal sealed record Refusal(int Status, string Code, string Detail)
{
    public int? RetryAfterSeconds { get; init; }

    /// <summary>503 <c>unavailable</c>: the token cannot be checked yet because the JWKS cannot be read.</summary>
    public static Refusal KeysUnavailable(Core.Auth.TokenValidationOutcome outcome) =>
        new(503, ErrorCodes.Unavailable, outcome.FailureDetail!) { RetryAfterSeconds = 5 };

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
