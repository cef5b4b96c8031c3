using System.Net;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// With PostgreSQL stopped for real, nothing is acked, echoed or broadcast that is not stored:
/// posts get <c>unavailable</c>, <c>/readyz</c> says 503, and the node recovers by itself.
/// </summary>
public sealed class PostgresOutageTests
{
    [Test]
    public async Task A_post_during_a_PostgreSQL_outage_is_refused_unavailable_and_its_retry_is_stored_once_after_recovery()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync();
        await using var node = await ChatNode.StartAsync(postgres: database);
        var room = Rooms.Unique("pgdown");
        await using var poster = await node.ConnectAsync(TestTokens.For("81", "poster"), path: $"/ws/chat/{room}");
        await using var reader = await node.ConnectAsync(TestTokens.For("82", "reader"), path: $"/ws/chat/{room}");
        using var http = node.Http();

        await postgres.StopAsync();
        await poster.SendAsync(new { type = "send", message = "while down", clientMsgId = "down-1" });
        var refusal = await poster.ReceiveTypeAsync("error");
        Assert.That(refusal.GetProperty("code").GetString(), Is.EqualTo("unavailable"));
        Assert.That(refusal.GetProperty("clientMsgId").GetString(), Is.EqualTo("down-1"));
        var ready = await http.GetAsync("/readyz");
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("postgres"));
        await reader.ExpectNothingPendingAsync();
        await poster.ExpectNothingPendingAsync();

        await postgres.StartAgainAsync();
        await Eventually.ThatAsync(async () => (int)(await http.GetAsync("/readyz")).StatusCode, Is.InRange(200, 299),
            "/readyz status: the node is ready again without a restart");

        // The client retries with the same clientMsgId until it is acked (a pooled connection
        // that died with the server may refuse the first retry).
        var ack = default(System.Text.Json.JsonElement);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await poster.SendAsync(new { type = "send", message = "while down", clientMsgId = "down-1" });
            var answer = await poster.ReceiveAsync();
            if (answer.GetProperty("type").GetString() == "ack")
            {
                ack = answer;
                break;
            }

            Assert.That(answer.GetProperty("code").GetString(), Is.EqualTo("unavailable"), answer.ToString());
        }

        Assert.That(ack.ValueKind, Is.Not.EqualTo(System.Text.Json.JsonValueKind.Undefined), "the retry was acked");
        Assert.That(ack.GetProperty("duplicate").GetBoolean(), Is.False);
        Assert.That(ack.GetProperty("seq").GetInt64(), Is.EqualTo(1));
        Assert.That((await reader.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(1));

        await using var db = new NpgsqlConnection(database);
        Assert.That(await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM messages WHERE room = @room AND client_msg_id = 'down-1'", new { room }), Is.EqualTo(1));
    }
}
