using System.Text;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Bench.Load;
using RawChat.Bench.Members;
using RawChat.Bench.Options;
using RawChat.Bench.Reporting;

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

    [Test]
    public void Members_defaults_are_the_issue_s_sizes_and_options_override_them()
    {
        var (defaults, error) = BenchArgs.Parse(["--scenario", "members"], "secret");
        Assert.That(error, Is.Null);
        Assert.That((defaults!.Members, defaults.Rounds, defaults.Readers, defaults.AddConcurrency), Is.EqualTo((10_000, 10, 2, 32)));
        Assert.That(defaults.PageLimits, Is.EqualTo(new[] { 200, 50 }));

        var (options, _) = BenchArgs.Parse(
            ["--scenario", "members", "--members", "300", "--page-limits", "100, 7", "--readers=3", "--rounds", "2", "--warmup-rounds", "0",
             "--before-paging", "psql -c 'ANALYZE room_members'"], "secret");
        Assert.That((options!.Members, options.Readers, options.Rounds, options.WarmupRounds), Is.EqualTo((300, 3, 2, 0)));
        Assert.That(options.BeforePaging, Is.EqualTo("psql -c 'ANALYZE room_members'"));
        Assert.That(defaults.BeforePaging, Is.Null);
        Assert.That(options.PageLimits, Is.EqualTo(new[] { 100, 7 }));
    }

    [TestCase(new[] { "--scenario", "members", "--page-limits", "200,201" }, "--page-limits must list page sizes of 1 to 200")]
    [TestCase(new[] { "--scenario", "members", "--members", "0" }, "--members, --rounds")]
    [TestCase(new[] { "--scenario", "members", "--page-limits", "50,x" }, "--page-limits: 'x' is not an integer")]
    public void Bad_members_command_lines_are_refused_with_a_reason(string[] args, string reason)
    {
        var (options, error) = BenchArgs.Parse(args, "secret");

        Assert.That(options, Is.Null);
        Assert.That(error, Does.Contain(reason));
    }

    [Test]
    public void Service_token_carries_the_service_claim_as_json_true()
    {
        var token = new TokenMinter("secret", TimeSpan.FromHours(1)).MintService("svc", "Bench", "is_backend");

        var payload = System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]);
        var claims = JsonDocument.Parse(payload).RootElement;
        Assert.That(claims.GetProperty("is_backend").ValueKind, Is.EqualTo(JsonValueKind.True));
        Assert.That(claims.GetProperty("user_id").GetString(), Is.EqualTo("svc"));
        Assert.That(claims.GetProperty("token_type").GetString(), Is.EqualTo("access"));
    }

    // The list a walk must find: ids in byte order ("10" before "2"), as the server sorts them.
    private static readonly string[] Expected = ["a1", "a10", "a11", "a2", "a3", "a4", "a5"];

    [Test]
    public void Member_walk_of_full_pages_that_end_on_hasMore_false_is_complete()
    {
        var check = new MemberWalkCheck(Expected, 3);

        Assert.That(check.Take(["a1", "a10", "a11"], hasMore: true), Is.True);
        Assert.That(check.After, Is.EqualTo("a11"));
        Assert.That(check.Take(["a2", "a3", "a4"], hasMore: true), Is.True);
        Assert.That(check.Take(["a5"], hasMore: false), Is.False);

        Assert.That(check.Result(), Is.EqualTo(new WalkCheck(1, 1, 3, 7, 0, 0, 0, 0, 0, 0, 0, 0)));
    }

    [Test]
    public void Member_walk_counts_duplicates_misses_strangers_disorder_and_short_or_oversized_pages()
    {
        var check = new MemberWalkCheck(Expected, 3);

        check.Take(["a1", "a10", "a10"], hasMore: true); // a duplicate (and not ascending)
        check.Take(["a2", "zz"], hasMore: true);          // a stranger, a short page that says more, a11 skipped
        check.Take(["a3", "a4", "a5", "a6"], hasMore: false); // over the limit, and a6 is a stranger too; a3 < zz

        var result = check.Result();
        Assert.Multiple(() =>
        {
            Assert.That(result.CompleteWalks, Is.Zero);
            Assert.That(result.Duplicates, Is.EqualTo(1));
            Assert.That(result.Missing, Is.EqualTo(1), "a11");
            Assert.That(result.Unexpected, Is.EqualTo(2), "zz and a6");
            Assert.That(result.OutOfOrder, Is.EqualTo(2), "a10 after a10, a3 after zz");
            Assert.That(result.ShortPages, Is.EqualTo(1));
            Assert.That(result.OverLimit, Is.EqualTo(1));
            Assert.That(result.Unfinished, Is.Zero, "it ended on hasMore false");
        });
    }

    [Test]
    public void Member_walk_flags_hasMore_that_ends_too_early_or_never_ends()
    {
        var early = new MemberWalkCheck(Expected, 3);
        Assert.That(early.Take(["a1", "a10", "a11"], hasMore: false), Is.False);
        var earlyResult = early.Result();
        Assert.That((earlyResult.WrongHasMore, earlyResult.Missing, earlyResult.CompleteWalks), Is.EqualTo((1L, 4L, 0L)));

        var late = new MemberWalkCheck(Expected, 3);
        late.Take(["a1", "a10", "a11"], hasMore: true);
        late.Take(["a2", "a3", "a4"], hasMore: true);
        late.Take(["a5"], hasMore: true); // a short last page that still says more
        Assert.That(late.Take([], hasMore: true), Is.False, "an empty page that says more cannot go on");
        var lateResult = late.Result();
        Assert.That((lateResult.WrongHasMore, lateResult.Unfinished, lateResult.CompleteWalks), Is.EqualTo((2L, 1L, 0L)));

        var aborted = new MemberWalkCheck(Expected, 3);
        aborted.Take(["a1", "a10", "a11"], hasMore: true);
        Assert.That(aborted.Result(aborted: true).Unfinished, Is.EqualTo(1));
    }
}
