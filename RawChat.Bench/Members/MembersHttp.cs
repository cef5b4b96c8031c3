using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawChat.Bench.Members;

/// <summary>
/// HTTP clients for the rooms API (docs/protocol.md §14.3), each over a <see cref="SocketsHttpHandler"/> that keeps its
/// connections alive and counts every TCP connection it opens, so the report can show keep-alive held.
/// </summary>
internal sealed class MembersHttp
{
    private long _connections;
    private long _requests;

    public long ConnectionsOpened => Interlocked.Read(ref _connections);

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The node's HTTP address for a <c>ws://</c> (<c>wss://</c>) URL: same host and port.</summary>
    public static Uri HttpBase(Uri url) => new($"{(url.Scheme == "wss" ? "https" : "http")}://{url.Authority}/");

    /// <summary>A client with at most <paramref name="connections"/> keep-alive connections, sending <paramref name="token"/>.</summary>
    public HttpClient Client(Uri baseAddress, string token, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                Interlocked.Increment(ref _connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Sends one request and reads its whole body (the time a caller waits for the answer).</summary>
    public async Task<(int Status, byte[] Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        Interlocked.Increment(ref _requests);
        using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return ((int)response.StatusCode, body);
    }

    /// <summary>"409 room_full": the status and the refusal's <c>error</c> code (§5), for the tallies.</summary>
    public static string Describe(int status, byte[] body)
    {
        try
        {
            var refusal = JsonSerializer.Deserialize(body, MembersJsonContext.Default.RefusalBody);
            if (refusal?.Error is { Length: > 0 } code)
            {
                return $"{status} {code}";
            }
        }
        catch (JsonException)
        {
        }

        return status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The answer of <c>GET /api/rooms/{room}/members</c>.</summary>
internal sealed record MemberPageBody(string Room, List<MemberEntryBody>? Members, bool HasMore);

internal sealed record MemberEntryBody(string UserId, string Name, string Role);

/// <summary>The refusal body of docs/protocol.md §5.</summary>
internal sealed record RefusalBody(string? Error, string? Detail);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MemberPageBody))]
[JsonSerializable(typeof(RefusalBody))]
internal sealed partial class MembersJsonContext : JsonSerializerContext;
