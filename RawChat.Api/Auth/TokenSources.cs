using Microsoft.Extensions.Primitives;
using RawChat.Api.Auth;

namespace RawChat.Api.Auth;

/// <summary>
/// Where a token may come from (docs/protocol.md §1, §6): the <c>token</c> query parameter wins, then
/// <c>Authorization: Bearer</c>, then a <c>bearer.&lt;jwt&gt;</c> WebSocket subprotocol. A <c>ticket</c>
/// query parameter stands in for all three (<see cref="ConnectCredentials"/>).
/// </summary>
internal static class TokenSources
{
    public const string ChatSubprotocol = "rawchat.v1";
    private const string BearerSubprotocolPrefix = "bearer.";

    public static string? Find(HttpRequest request, IList<string> requestedSubprotocols)
    {
        var query = request.Query["token"];
        if (!StringValues.IsNullOrEmpty(query) && !string.IsNullOrEmpty(query[0]))
        {
            return query[0];
        }

        var header = FromAuthorizationHeader(request);
        if (header is not null)
        {
            return header;
        }

        foreach (var protocol in requestedSubprotocols)
        {
            if (protocol.StartsWith(BearerSubprotocolPrefix, StringComparison.Ordinal)
                && protocol.Length > BearerSubprotocolPrefix.Length)
            {
                return protocol[BearerSubprotocolPrefix.Length..];
            }
        }

        return null;
    }

    /// <summary>The <c>ticket</c> query parameter; null when absent or empty.</summary>
    public static string? Ticket(HttpRequest request)
    {
        var ticket = request.Query["ticket"];
        return StringValues.IsNullOrEmpty(ticket) || string.IsNullOrEmpty(ticket[0]) ? null : ticket[0];
    }

    public static string? FromAuthorizationHeader(HttpRequest request)
    {
        var value = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && value.Length > scheme.Length
            ? value[scheme.Length..].Trim()
            : null;
    }
}
