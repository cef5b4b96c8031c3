using System.Net.Http.Headers;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>What text costs on the wire: emoji go out as UTF-8, and a page of long messages stops at the page budget.</summary>
public sealed class TextOnTheWireTests : NodeFixture
{
    [Test]
    public async Task Emoji_leave_the_server_as_utf8_not_as_escaped_surrogate_pairs()
    {
        var room = Rooms.Unique("emoji");
        await using var client = await Node.ConnectAsync(TestTokens.For("1901", "😀 smiley"), path: $"/ws/chat/{room}");

        await client.SendTextAsync("""{"message": "hi 😀 안녕"}""");

        var raw = await client.ReceiveTextAsync();
        Assert.That(raw, Does.Contain("\"message\":\"hi 😀 안녕\""));
        Assert.That(raw, Does.Contain("\"user\":\"😀 smiley\""));
        Assert.That(raw, Does.Not.Contain("\\u"), "4 bytes an emoji, not 12");
    }

    [Test]
    public async Task A_REST_page_of_long_messages_ends_at_the_page_budget_and_paging_on_reaches_every_message()
    {
        var room = Rooms.Unique("longpage");
        const int count = 150; // 150 × 4,000 bytes of text: more than one 256 KiB page
        await StoredMessages.SeedAsync(room, count, "1902", new string('x', 4000));

        using var http = Node.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For("1903", "reader"));
        var seen = new List<long>();
        string path = $"/api/rooms/{room}/messages?limit=200";
        while (true)
        {
            var body = await http.GetByteArrayAsync(path);
            Assert.That(body, Has.Length.LessThanOrEqualTo(256 * 1024 + 200), "one page stays within the budget");
            using var page = JsonDocument.Parse(body);
            var seqs = page.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()).ToList();
            seen.InsertRange(0, seqs);
            if (!page.RootElement.GetProperty("hasMore").GetBoolean())
            {
                break;
            }

            Assert.That(seqs, Has.Count.LessThan(count), "the first page ended early, at the budget");
            path = $"/api/rooms/{room}/messages?limit=200&before={seqs[0]}";
        }

        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, count).Select(s => (long)s)), "paging with before reaches every message once");
    }
}
