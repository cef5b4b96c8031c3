using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace RawChat.Tests.Clients;

/// <summary>
/// RawChat's HTTP API from a .NET backend: post into a room with a service token, and trade a
/// user's token for a single-use connection ticket. <c>http.BaseAddress</c> is the service,
/// e.g. https://chat.example.com/.
/// </summary>
public sealed class RawChatHttp(HttpClient http)
{
    /// <summary>
    /// Stores <paramref name="text"/> in <paramref name="room"/> and returns the stored message. Send
    /// the same <paramref name="idempotencyKey"/> on every retry: a repeat stores nothing and comes
    /// back with <c>"duplicate": true</c>.
    /// </summary>
    public async Task<JsonElement> PublishAsync(string serviceToken, string room, string text, string user,
        string idempotencyKey, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/rooms/{Uri.EscapeDataString(room)}/messages")
            {
                Content = JsonContent.Create(new { message = text, user }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", serviceToken);
            request.Headers.Add("Idempotency-Key", idempotencyKey);

            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 3)
            {
                // Not stored: wait as told, then send the same request again.
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
                continue;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"publish failed: {(int)response.StatusCode} {body}", null, response.StatusCode);
            }

            using var stored = JsonDocument.Parse(body);
            return stored.RootElement.Clone();
        }
    }

    /// <summary>A ticket for <c>/ws/chat/{room}?ticket=…</c>: good for one connect, within 30 seconds, as the token's user.</summary>
    public async Task<string> TicketAsync(string userToken, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/tickets");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", userToken);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return answer.RootElement.GetProperty("ticket").GetString()!;
    }
}
