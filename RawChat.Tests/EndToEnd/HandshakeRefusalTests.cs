using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// docs/protocol.md §1: every refusal is plain HTTP before the upgrade, with <c>{"error", "detail"}</c>,
/// and the checks answer in their stated order.
/// </summary>
public sealed class HandshakeRefusalTests
{
    private const string Issuer = "https://issuer.example";
    private const string Audience = "rawchat-clients";
    private const string GoodOrigin = "https://good.example";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private RSA _nodeKey = null!;
    private RSA _foreignKey = null!;
    private string _nodePem = "";

    /// <summary>Defaults only: HS256 with the test secret, no origin list, generous limits.</summary>
    private ChatNode _plain = null!;

    /// <summary>A secret and an RSA public key, an issuer and an audience.</summary>
    private ChatNode _strict = null!;

    /// <summary>One socket per user, and an origin allow-list.</summary>
    private ChatNode _guarded = null!;

    /// <summary>One socket for the whole node.</summary>
    private ChatNode _single = null!;

    [OneTimeSetUp]
    public async Task StartNodesAsync()
    {
        _nodeKey = RSA.Create(2048);
        _foreignKey = RSA.Create(2048);
        _nodePem = _nodeKey.ExportSubjectPublicKeyInfoPem();

        var plain = ChatNode.StartAsync();
        var strict = ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Jwt:PublicKeyPem"] = _nodePem,
            ["Jwt:Issuer"] = Issuer,
            ["Jwt:Audience"] = Audience,
        });
        var guarded = ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:MaxConnectionsPerUser"] = "1",
            ["Chat:AllowedOrigins:0"] = GoodOrigin,
        });
        var single = ChatNode.StartAsync(new Dictionary<string, string?> { ["Chat:MaxConnectionsPerNode"] = "1" });
        try
        {
            await Task.WhenAll(plain, strict, guarded, single);
        }
        finally
        {
            // Keep whatever started, so the tear-down stops it even when another failed.
            _plain = plain.IsCompletedSuccessfully ? plain.Result : null!;
            _strict = strict.IsCompletedSuccessfully ? strict.Result : null!;
            _guarded = guarded.IsCompletedSuccessfully ? guarded.Result : null!;
            _single = single.IsCompletedSuccessfully ? single.Result : null!;
        }
    }

    [OneTimeTearDown]
    public async Task StopNodesAsync()
    {
        foreach (var node in new[] { _plain, _strict, _guarded, _single })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        _nodeKey?.Dispose();
        _foreignKey?.Dispose();
    }

    // ---- 400 websocket_required ---------------------------------------------------------------

    [TestCase("/ws/chat")]
    [TestCase("/ws/chat/")]
    [TestCase("/ws/chat/some-room")]
    [TestCase("/ws/chat/some-room/")]
    public async Task Plain_http_get_to_the_endpoint_is_refused_400_websocket_required(string path)
    {
        var token = TestTokens.For("1", "alice");
        var answer = await Handshake.SendAsync(_plain, $"{path}?token={token}", upgrade: false);
        AssertRefused(answer, HttpStatusCode.BadRequest, "websocket_required", token);
    }

    [TestCase("POST")]
    [TestCase("PUT")]
    [TestCase("DELETE")]
    public async Task Plain_http_request_of_another_method_to_the_endpoint_is_refused_400_websocket_required(string method)
    {
        using var http = _plain.Http();
        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/ws/chat/some-room"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"websocket_required\""));
    }

    // ---- 400 invalid_room -------------------------------------------------------------------------

    [TestCase("/ws/chat/bad%20room")]
    [TestCase("/ws/chat/bad!room/")]
    [TestCase("/ws/chat/caf%C3%A9")]
    [TestCase("/ws/chat/bad%2Froom")]
    public async Task Bad_room_in_the_path_is_refused_400_invalid_room(string path)
    {
        var answer = await Handshake.SendAsync(_plain, $"{path}?token={TestTokens.For("1")}");
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
    }

    [Test]
    public async Task Room_of_65_characters_in_the_path_is_refused_400_invalid_room()
    {
        var answer = await Handshake.SendAsync(_plain, $"/ws/chat/{new string('a', 65)}?token={TestTokens.For("1")}");
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
    }

    [TestCase("room=bad%20room")]
    [TestCase("room=bad!room")]
    [TestCase("room=a%2Fb")]
    [TestCase("room=")]
    public async Task Bad_room_query_parameter_is_refused_400_invalid_room(string roomParameter)
    {
        var answer = await Handshake.SendAsync(_plain, $"/ws/chat?{roomParameter}&token={TestTokens.For("1")}");
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
    }

    [Test]
    public async Task Room_query_parameter_of_65_characters_is_refused_400_invalid_room()
    {
        var answer = await Handshake.SendAsync(_plain, $"/ws/chat/?room={new string('b', 65)}&token={TestTokens.For("1")}");
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
    }

    [Test]
    public async Task Room_of_64_characters_is_accepted()
    {
        var room = (Rooms.Unique("long") + new string('x', 64))[..64];
        await AssertAcceptedAsync(_plain, $"/ws/chat?room={room}&token={TestTokens.For("1")}");
    }

    [Test]
    public async Task Room_query_parameter_is_ignored_when_the_path_names_a_room()
    {
        var room = Rooms.Unique("path");
        await using var client = await ChatClient.ConnectAsync(
            _plain.Chat($"/ws/chat/{room}/?room=&token={TestTokens.For("7", "gina")}"));

        await client.SendTextAsync("""{"message": "where am I"}""");

        var frame = await client.ReceiveTypeAsync("message");
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo(room));
    }

    // ---- 400 invalid_since ------------------------------------------------------------------------

    [TestCase("since=")]
    [TestCase("since=-1")]
    [TestCase("since=1.5")]
    [TestCase("since=abc")]
    [TestCase("since=%2B3")]
    [TestCase("since=+3")]
    [TestCase("since=%203")]
    [TestCase("since=1e3")]
    [TestCase("since=0x10")]
    [TestCase("since=9223372036854775808")]
    [TestCase("since=99999999999999999999")]
    public async Task Bad_since_is_refused_400_invalid_since(string sinceParameter)
    {
        var answer = await Handshake.SendAsync(_plain, $"/ws/chat/{Rooms.Unique("since")}?{sinceParameter}&token={TestTokens.For("1")}");
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_since");
    }

    [TestCase("0")]
    [TestCase("007")]
    [TestCase("9223372036854775807")]
    [TestCase("00000000000000000005")]
    public async Task Since_of_decimal_digits_within_64_bits_is_accepted_and_replays_nothing_on_an_empty_room(string since)
    {
        await AssertAcceptedAsync(_plain, $"/ws/chat/{Rooms.Unique("since")}?since={since}&token={TestTokens.For("1")}");
    }

    // ---- 401 invalid_token ------------------------------------------------------------------------

    [TestCaseSource(typeof(BadTokens), nameof(BadTokens.Faults))]
    [TestCase("empty token parameter")]
    public async Task Bad_token_is_refused_401_invalid_token_with_a_bearer_challenge(string fault)
    {
        var token = fault == "empty token parameter" ? "" : BadTokens.Make(fault);
        var query = token is null ? "" : $"?token={Uri.EscapeDataString(token)}";

        var answer = await Handshake.SendAsync(_plain, $"/ws/chat/{Rooms.Unique("tok")}{query}");

        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [TestCase("sound")]
    [TestCase("expired 10 s ago, within the skew")]
    [TestCase("nbf 10 s ahead, within the skew")]
    public async Task Token_built_like_the_refused_ones_but_valid_is_accepted(string kind)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = TestTokens.Claims("401", "mallory");
        if (kind.StartsWith("expired", StringComparison.Ordinal))
        {
            claims["exp"] = now - 10;
        }
        else if (kind.StartsWith("nbf", StringComparison.Ordinal))
        {
            claims["nbf"] = now + 10;
        }

        await AssertAcceptedAsync(_plain, $"/ws/chat/{Rooms.Unique("tok")}?token={TestTokens.SignHs256(claims)}");
    }

    [Test]
    public async Task Algorithm_confusion_hs256_keyed_with_the_configured_public_key_pem_is_refused()
    {
        // The attacker knows the public key and signs HS256 with its PEM text as the HMAC secret.
        var token = TestTokens.SignHs256(StrictClaims("666", "mallory"), _nodePem);

        var answer = await Handshake.SendAsync(_strict, $"/ws/chat/{Rooms.Unique("confused")}?token={token}");

        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [Test]
    public async Task Node_with_a_secret_and_a_public_key_accepts_hs256_and_rs256_with_the_right_issuer_and_audience()
    {
        var room = Rooms.Unique("strict");
        await AssertAcceptedAsync(_strict, $"/ws/chat/{room}?token={TestTokens.SignHs256(StrictClaims("8", "hana"))}");
        await AssertAcceptedAsync(_strict, $"/ws/chat/{room}?token={TestTokens.SignRs256(StrictClaims("8", "hana"), _nodeKey)}");
    }

    [TestCase("wrong issuer")]
    [TestCase("wrong audience")]
    [TestCase("no issuer")]
    [TestCase("no audience")]
    [TestCase("RS256 signed by another key")]
    [TestCase("PS256 signed by the configured key")]
    [TestCase("RS512 signed by the configured key")]
    [TestCase("RS256 by another key that the header embeds as a jwk")]
    public async Task Token_failing_the_configured_issuer_audience_key_or_algorithms_is_refused_401(string fault)
    {
        var claims = StrictClaims("9", "ivan");
        switch (fault)
        {
            case "wrong issuer": claims["iss"] = "https://evil.example"; break;
            case "wrong audience": claims["aud"] = "someone-else"; break;
            case "no issuer": claims.Remove("iss"); break;
            case "no audience": claims.Remove("aud"); break;
        }

        var token = fault switch
        {
            "RS256 signed by another key" => TestTokens.SignRs256(claims, _foreignKey),
            "PS256 signed by the configured key" => TestTokens.Sign(Header("PS256"), claims,
                data => _nodeKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)),
            "RS512 signed by the configured key" => TestTokens.Sign(Header("RS512"), claims,
                data => _nodeKey.SignData(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1)),
            "RS256 by another key that the header embeds as a jwk" => TestTokens.Sign(EmbeddedJwkHeader(_foreignKey), claims,
                data => _foreignKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
            _ => TestTokens.SignHs256(claims),
        };

        var answer = await Handshake.SendAsync(_strict, $"/ws/chat/{Rooms.Unique("strict")}?token={token}");

        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [Test]
    public async Task Refused_token_never_appears_in_the_answer_whichever_way_it_came()
    {
        var expired = BadTokens.Make("expired 60 s ago")!;
        var forged = BadTokens.Make("bad signature")!;

        var byQuery = await Handshake.SendAsync(_plain, $"/ws/chat?token={expired}");
        var byHeader = await Handshake.SendAsync(_plain, "/ws/chat", new Dictionary<string, string> { ["Authorization"] = $"Bearer {forged}" });
        var bySubprotocol = await Handshake.SendAsync(_plain, "/ws/chat",
            new Dictionary<string, string> { ["Sec-WebSocket-Protocol"] = $"rawchat.v1, bearer.{forged}" });

        AssertRefused(byQuery, HttpStatusCode.Unauthorized, "invalid_token", expired);
        AssertRefused(byHeader, HttpStatusCode.Unauthorized, "invalid_token", forged);
        AssertRefused(bySubprotocol, HttpStatusCode.Unauthorized, "invalid_token", forged);
    }

    // ---- 403 forbidden_room -----------------------------------------------------------------------

    [Test]
    public async Task Token_whose_rooms_claim_does_not_name_the_room_is_refused_403_forbidden_room()
    {
        var token = TestTokens.For("10", "jo", rooms: ["other-room"]);

        var byPath = await Handshake.SendAsync(_plain, $"/ws/chat/{Rooms.Unique("nope")}?token={token}");
        var byQuery = await Handshake.SendAsync(_plain, $"/ws/chat?room={Rooms.Unique("nope")}&token={token}");
        var byDefaultRoom = await Handshake.SendAsync(_plain, $"/ws/chat/?token={token}");

        AssertRefused(byPath, HttpStatusCode.Forbidden, "forbidden_room", token);
        AssertRefused(byQuery, HttpStatusCode.Forbidden, "forbidden_room", token);
        AssertRefused(byDefaultRoom, HttpStatusCode.Forbidden, "forbidden_room", token);
    }

    [Test]
    public async Task Rooms_claim_is_case_sensitive()
    {
        var token = TestTokens.For("10", "jo", rooms: ["Lobby"]);
        AssertRefused(await Handshake.SendAsync(_plain, $"/ws/chat?token={token}"), HttpStatusCode.Forbidden, "forbidden_room", token);
    }

    [Test]
    public async Task Token_with_an_empty_rooms_array_is_refused_every_room()
    {
        var token = TestTokens.For("11", "kim", rooms: []);

        foreach (var path in new[] { "/ws/chat", "/ws/chat/lobby", $"/ws/chat/{Rooms.Unique("any")}", "/ws/chat/team-a" })
        {
            AssertRefused(await Handshake.SendAsync(_plain, $"{path}?token={token}"), HttpStatusCode.Forbidden, "forbidden_room", token);
        }
    }

    [Test]
    public async Task Rooms_claim_with_a_prefix_allows_rooms_with_that_prefix_and_refuses_others()
    {
        var token = TestTokens.For("12", "lee", rooms: ["team-*"]);

        await AssertAcceptedAsync(_plain, $"/ws/chat/team-a?token={token}");
        await AssertAcceptedAsync(_plain, $"/ws/chat?room=team-&token={token}");
        AssertRefused(await Handshake.SendAsync(_plain, $"/ws/chat/teamx?token={token}"), HttpStatusCode.Forbidden, "forbidden_room", token);
        AssertRefused(await Handshake.SendAsync(_plain, $"/ws/chat/team?token={token}"), HttpStatusCode.Forbidden, "forbidden_room", token);
        AssertRefused(await Handshake.SendAsync(_plain, $"/ws/chat/Team-a?token={token}"), HttpStatusCode.Forbidden, "forbidden_room", token);
    }

    [Test]
    public async Task Rooms_claim_naming_the_room_exactly_allows_it()
    {
        var room = Rooms.Unique("mine");
        await AssertAcceptedAsync(_plain, $"/ws/chat/{room}?token={TestTokens.For("13", "max", rooms: ["x", room])}");
    }

    // ---- 403 forbidden_origin ---------------------------------------------------------------------

    [TestCase("https://evil.example")]
    [TestCase("http://good.example")]
    [TestCase("https://good.example.evil.example")]
    [TestCase("null")]
    public async Task Origin_outside_the_allow_list_is_refused_403_forbidden_origin(string origin)
    {
        var token = TestTokens.For(UniqueUser(), "nina");

        var answer = await Handshake.SendAsync(_guarded, $"/ws/chat/{Rooms.Unique("origin")}?token={token}",
            new Dictionary<string, string> { ["Origin"] = origin });

        AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden_origin", token);
    }

    [Test]
    public async Task Origin_on_the_allow_list_is_accepted()
    {
        await AssertAcceptedAsync(_guarded, $"/ws/chat/{Rooms.Unique("origin")}?token={TestTokens.For(UniqueUser())}",
            o => o.SetRequestHeader("Origin", GoodOrigin));
    }

    [Test]
    public async Task Request_without_an_origin_is_accepted_by_a_node_with_an_allow_list()
    {
        await AssertAcceptedAsync(_guarded, $"/ws/chat/{Rooms.Unique("origin")}?token={TestTokens.For(UniqueUser())}");
    }

    [Test]
    public async Task Any_origin_is_accepted_when_no_allow_list_is_configured()
    {
        await AssertAcceptedAsync(_plain, $"/ws/chat/{Rooms.Unique("origin")}?token={TestTokens.For("14")}",
            o => o.SetRequestHeader("Origin", "https://evil.example"));
    }

    // ---- 503 over_capacity ------------------------------------------------------------------------

    [Test]
    public async Task Second_socket_of_a_user_at_the_limit_is_refused_503_with_retry_after_while_another_user_connects()
    {
        var user = UniqueUser();
        var token = TestTokens.For(user, "olga");
        await using var first = await ChatClient.ConnectAsync(_guarded.Chat($"/ws/chat/{Rooms.Unique("cap")}?token={token}"));
        await first.ExpectNothingPendingAsync();

        var second = await Handshake.SendAsync(_guarded, $"/ws/chat/{Rooms.Unique("cap")}?token={TestTokens.For(user, "olga")}");

        AssertRefused(second, HttpStatusCode.ServiceUnavailable, "over_capacity");
        await AssertAcceptedAsync(_guarded, $"/ws/chat/{Rooms.Unique("cap")}?token={TestTokens.For(UniqueUser(), "pia")}");
    }

    [Test]
    public async Task Place_freed_by_a_closed_socket_is_given_back_to_the_user()
    {
        var user = UniqueUser();
        var url = _guarded.Chat($"/ws/chat/{Rooms.Unique("cap")}?token={TestTokens.For(user)}");
        await using (var first = await ChatClient.ConnectAsync(url))
        {
            await first.ExpectNothingPendingAsync();
        }

        // The server lets go of the place once it has seen the close; poll until it has.
        await using var again = await ConnectWithinAsync(url, Patience);
        await again.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Node_at_its_connection_limit_refuses_any_new_socket_503_with_retry_after()
    {
        await using var first = await ChatClient.ConnectAsync(
            _single.Chat($"/ws/chat/{Rooms.Unique("full")}?token={TestTokens.For("20", "quinn")}"));
        await first.ExpectNothingPendingAsync();

        var other = await Handshake.SendAsync(_single, $"/ws/chat/{Rooms.Unique("full")}?token={TestTokens.For("21", "rosa")}");

        AssertRefused(other, HttpStatusCode.ServiceUnavailable, "over_capacity");
    }

    // ---- order of the checks ----------------------------------------------------------------------

    [Test]
    public async Task Plain_http_get_with_a_bad_room_and_a_bad_token_is_refused_websocket_required()
    {
        var answer = await Handshake.SendAsync(_plain, "/ws/chat/bad!room?since=-1&token=garbage", upgrade: false);
        AssertRefused(answer, HttpStatusCode.BadRequest, "websocket_required");
    }

    [Test]
    public async Task Bad_room_with_a_bad_token_is_refused_400_invalid_room()
    {
        AssertRefused(await Handshake.SendAsync(_plain, "/ws/chat/bad!room?token=garbage"), HttpStatusCode.BadRequest, "invalid_room");
        AssertRefused(await Handshake.SendAsync(_plain, "/ws/chat?room=&token=garbage"), HttpStatusCode.BadRequest, "invalid_room");
        AssertRefused(await Handshake.SendAsync(_plain, "/ws/chat/bad!room"), HttpStatusCode.BadRequest, "invalid_room");
    }

    [Test]
    public async Task Bad_since_with_a_bad_token_is_refused_400_invalid_since()
    {
        AssertRefused(await Handshake.SendAsync(_plain, "/ws/chat?since=-1&token=garbage"), HttpStatusCode.BadRequest, "invalid_since");
        AssertRefused(await Handshake.SendAsync(_plain, "/ws/chat?since="), HttpStatusCode.BadRequest, "invalid_since");
    }

    [Test]
    public async Task Bad_room_on_a_node_with_an_origin_list_and_a_forbidden_origin_is_refused_400_invalid_room()
    {
        var answer = await Handshake.SendAsync(_guarded, "/ws/chat/bad!room?token=garbage",
            new Dictionary<string, string> { ["Origin"] = "https://evil.example" });
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
    }

    [Test]
    public async Task Bad_token_with_a_forbidden_origin_is_refused_401()
    {
        var token = BadTokens.Make("bad signature")!;
        var answer = await Handshake.SendAsync(_guarded, $"/ws/chat?token={token}",
            new Dictionary<string, string> { ["Origin"] = "https://evil.example" });
        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [Test]
    public async Task Forbidden_room_with_a_forbidden_origin_is_refused_403_forbidden_room()
    {
        var token = TestTokens.For(UniqueUser(), rooms: ["elsewhere"]);
        var answer = await Handshake.SendAsync(_guarded, $"/ws/chat/{Rooms.Unique("both")}?token={token}",
            new Dictionary<string, string> { ["Origin"] = "https://evil.example" });
        AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden_room", token);
    }

    [Test]
    public async Task User_at_the_limit_is_told_about_a_bad_room_a_bad_since_a_forbidden_room_or_origin_before_capacity()
    {
        var user = UniqueUser();
        await using var holding = await ChatClient.ConnectAsync(_guarded.Chat($"/ws/chat/{Rooms.Unique("hold")}?token={TestTokens.For(user)}"));
        await holding.ExpectNothingPendingAsync();
        var token = TestTokens.For(user, rooms: ["allowed-*"]);

        var badRoom = await Handshake.SendAsync(_guarded, $"/ws/chat/bad!room?token={token}");
        var badSince = await Handshake.SendAsync(_guarded, $"/ws/chat/allowed-1?since=x&token={token}");
        var forbiddenRoom = await Handshake.SendAsync(_guarded, $"/ws/chat/other?token={token}");
        var forbiddenOrigin = await Handshake.SendAsync(_guarded, $"/ws/chat/allowed-1?token={token}",
            new Dictionary<string, string> { ["Origin"] = "https://evil.example" });
        var overCapacity = await Handshake.SendAsync(_guarded, $"/ws/chat/allowed-1?token={token}");

        AssertRefused(badRoom, HttpStatusCode.BadRequest, "invalid_room", token);
        AssertRefused(badSince, HttpStatusCode.BadRequest, "invalid_since", token);
        AssertRefused(forbiddenRoom, HttpStatusCode.Forbidden, "forbidden_room", token);
        AssertRefused(forbiddenOrigin, HttpStatusCode.Forbidden, "forbidden_origin", token);
        AssertRefused(overCapacity, HttpStatusCode.ServiceUnavailable, "over_capacity", token);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static Dictionary<string, object?> StrictClaims(string userId, string name)
    {
        var claims = TestTokens.Claims(userId, name);
        claims["iss"] = Issuer;
        claims["aud"] = Audience;
        return claims;
    }

    private static Dictionary<string, object?> Header(string alg) => new() { ["alg"] = alg, ["typ"] = "JWT" };

    private static Dictionary<string, object?> EmbeddedJwkHeader(RSA key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var header = Header("RS256");
        header["jwk"] = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Exponent),
        };
        return header;
    }

    private static string UniqueUser() => $"u-{Guid.NewGuid():N}";

    /// <summary>The upgrade succeeds and the socket stays open: a ping gets its pong first.</summary>
    private static async Task AssertAcceptedAsync(ChatNode node, string pathAndQuery, Action<ClientWebSocketOptions>? configure = null)
    {
        await using var client = await ChatClient.ConnectAsync(node.Chat(pathAndQuery), configure);
        await client.ExpectNothingPendingAsync();
    }

    private static async Task<ChatClient> ConnectWithinAsync(Uri url, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                return await ChatClient.ConnectAsync(url);
            }
            catch (WebSocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }
}
