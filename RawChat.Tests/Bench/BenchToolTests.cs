using System.Text;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Bench.Load;
using RawChat.Bench.Options;

namespace RawChat.Tests.Bench;

/// <summary>The benchmark tool's own parsing: what it posts, what it reads back, its command line.</summary>
public sealed class BenchToolTests
{
    [Test]
    public void Send_frame_is_valid_json_whose_text_and_clientMsgId_carry_sender_number_and_time()
    {
        var buffer = new byte[PostText.MaxFrameLength(0)];
        var length = PostText.WriteSendFrame(buffer, 7, 42, 1234567890123, 0);

        using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
        var root = frame.RootElement;
        Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("send"));
        Assert.That(root.GetProperty("message").GetString(), Is.EqualTo("b|7|42|1234567890123"));
        Assert.That(root.GetProperty("clientMsgId").GetString(), Is.EqualTo("7.42.1234567890123"));

        Assert.That(PostText.TryParseText("b|7|42|1234567890123"u8, out var sender, out var n, out var ticks), Is.True);
        Assert.That((sender, n, ticks), Is.EqualTo((7, 42L, 1234567890123L)));
        Assert.That(PostText.TryParseClientMsgId("7.42.1234567890123"u8, out sender, out n, out ticks), Is.True);
        Assert.That((sender, n, ticks), Is.EqualTo((7, 42L, 1234567890123L)));
    }

    [Test]
    public void Padded_text_has_the_asked_length_and_still_parses()
    {
        var buffer = new byte[PostText.MaxFrameLength(200)];
        var length = PostText.WriteSendFrame(buffer, 1, 2, 3, 200);

        using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
        var text = frame.RootElement.GetProperty("message").GetString()!;
        Assert.That(text, Has.Length.EqualTo(200));
        Assert.That(PostText.TryParseText(Encoding.UTF8.GetBytes(text), out var sender, out var n, out var ticks), Is.True);
        Assert.That((sender, n, ticks), Is.EqualTo((1, 2L, 3L)));
    }

    [TestCase("hello")]
    [TestCase("b|1|2")]
    [TestCase("b|x|2|3")]
    [TestCase("")]
    public void Text_not_posted_by_the_tool_is_not_taken_for_a_post(string text) =>
        Assert.That(PostText.TryParseText(Encoding.UTF8.GetBytes(text), out _, out _, out _), Is.False);

    [Test]
    public void Server_frame_reader_takes_the_top_level_fields_and_skips_nested_ones()
    {
        var utf8 = """
            {"type":"message","id":9,"room":"r1","seq":12,"user":"u","userId":"1",
             "extra":{"seq":99,"message":"inner"},"list":[1,{"type":"ack"}],
             "message":"b|3|4|5","timestamp":"2026-01-01T00:00:00.000000Z","clientMsgId":"3.4.5"}
            """u8;

        Assert.That(ServerFrame.TryRead(utf8, out var frame), Is.True);
        Assert.That(frame.Kind, Is.EqualTo(FrameKind.Message));
        Assert.That(frame.Seq, Is.EqualTo(12));
        Assert.That(Encoding.UTF8.GetString(utf8[frame.Room]), Is.EqualTo("r1"));
        Assert.That(Encoding.UTF8.GetString(utf8[frame.Message]), Is.EqualTo("b|3|4|5"));
        Assert.That(Encoding.UTF8.GetString(utf8[frame.ClientMsgId]), Is.EqualTo("3.4.5"));
    }

    [Test]
    public void Server_frame_reader_reads_acks_and_errors_and_refuses_non_objects()
    {
        Assert.That(ServerFrame.TryRead("""{"type":"ack","clientMsgId":"1.2.3","seq":5,"duplicate":true}"""u8, out var ack), Is.True);
        Assert.That((ack.Kind, ack.Seq, ack.Duplicate), Is.EqualTo((FrameKind.Ack, 5L, true)));

        var error = """{"type":"error","code":"rate_limited","message":"slow down","clientMsgId":"1.2.3"}"""u8;
        Assert.That(ServerFrame.TryRead(error, out var refused), Is.True);
        Assert.That(refused.Kind, Is.EqualTo(FrameKind.Error));
        Assert.That(Encoding.UTF8.GetString(error[refused.Code]), Is.EqualTo("rate_limited"));

        Assert.That(ServerFrame.TryRead("[1,2]"u8, out _), Is.False);
        Assert.That(ServerFrame.TryRead("{\"type\":"u8, out _), Is.False);
    }

    [Test]
    public void Ingest_defaults_make_every_connection_a_sender_and_options_override_them()
    {
        var (options, error) = BenchArgs.Parse(
            ["--scenario", "ingest", "--connections=200", "--url", "ws://a:1", "--url", "ws://b:2"], "secret");

        Assert.That(error, Is.Null);
        Assert.That(options!.SenderCount, Is.EqualTo(200));
        Assert.That(options.RoomSize, Is.EqualTo(2));
        Assert.That(options.Rate, Is.EqualTo(15));
        Assert.That(options.Urls.Select(u => u.Authority), Is.EqualTo(new[] { "a:1", "b:2" }));
        Assert.That(options.Secret, Is.EqualTo("secret"));
    }

    [TestCase(new[] { "--connections", "5" }, "--scenario is required")]
    [TestCase(new[] { "--scenario", "idle", "--bogus", "1" }, "--bogus: unknown option")]
    [TestCase(new[] { "--scenario", "fanout", "--senders", "2000" }, "--senders must be between 0 and --connections")]
    [TestCase(new[] { "--scenario", "fanout", "--rate", "fast" }, "--rate: 'fast' is not a number")]
    public void Bad_command_lines_are_refused_with_a_reason(string[] args, string reason)
    {
        var (options, error) = BenchArgs.Parse(args, "secret");

        Assert.That(options, Is.Null);
        Assert.That(error, Does.Contain(reason));
    }

    [Test]
    public void Senders_spread_over_rooms_and_sit_on_the_first_node_when_there_are_two()
    {
        var options = BenchOptions.For(Scenario.Fanout) with
        {
            Urls = [new Uri("ws://a:1"), new Uri("ws://b:2")],
            Connections = 400,
            RoomSize = 100,
            Senders = 8,
            Secret = "s",
        };

        var senders = new Layout(options, "run").Senders();

        Assert.That(senders, Is.Unique);
        Assert.That(senders.Select(c => c / 100).Distinct().Count(), Is.EqualTo(4));
        Assert.That(senders.All(c => c % 2 == 0), Is.True, "connection i is on node i % 2: all senders on node 0");
    }
}
