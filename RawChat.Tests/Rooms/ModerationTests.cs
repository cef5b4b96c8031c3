using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.RoomsWithMembers.RoomFrames;
using static RawChat.Tests.RoomsWithMembers.RoomsApi;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>
/// Moderation (docs/protocol.md §14.5): a ban or a removal takes every socket of the user out of
/// the room on both nodes within a second, with a <c>left</c> frame for a socket that opted into
/// <c>members</c>, and closes every path into the room until it is lifted; who may ban whom; mutes;
/// slow mode across nodes; and the audit the owner reads.
/// </summary>
public sealed class ModerationTests() : TwoNodeFixture()
{
    // ---- bans -------------------------------------------------------------------------------------

    [Test]
    public async Task Ban_takes_the_users_sockets_on_both_nodes_out_of_the_room_within_a_second_and_they_hear_nothing_more()
    {
        await using var scene = await OutOfTheRoomAsync(TakeOut.Ban);

        Assert.That(scene.LeftAfter, Is.LessThanOrEqualTo(WithinASecond),
            "the opted-in socket's left frame, measured from the HTTP answer (1 s in the contract, see WithinASecond)");

        await scene.Speaker.PostAckedAsync(scene.Room, "after the ban", "s-2");
        await scene.Speaker.ReceiveMessageAsync(scene.Room, "after the ban");
        await scene.Witness.ReceiveMessageAsync(scene.Room, "after the ban");
        await scene.OptedIn.ExpectNothingPendingAsync();
        await scene.Plain.ExpectNothingPendingAsync();

        // Its other rooms carry on, and the sockets stay open.
        await scene.OptedIn.PostAckedAsync(scene.OtherRoom, "still here", "u-other");
        await scene.OptedIn.ReceiveMessageAsync(scene.OtherRoom, "still here");
        Assert.That(scene.OptedIn.Closed.IsCompleted, Is.False);
        Assert.That(scene.Plain.Closed.IsCompleted, Is.False);
    }

    [Test]
    public async Task Banned_user_is_refused_forbidden_room_on_every_path_until_unbanned_and_then_joins_again()
    {
        await using var scene = await OutOfTheRoomAsync(TakeOut.Ban);

        await AssertShutOutAsync(scene);

        var unbanned = await UnbanAsync(A, scene.OwnerToken, scene.Room, scene.User);
        var again = await UnbanAsync(B, scene.OwnerToken, scene.Room, scene.User);

        Assert.That(unbanned.Status, Is.EqualTo(HttpStatusCode.NoContent), unbanned.Text);
        AssertRefused(again, HttpStatusCode.NotFound, "not_found", scene.OwnerToken);
        await AssertBackInAsync(scene);
    }

    [Test]
    public async Task Removed_member_of_a_private_room_leaves_with_reason_removed_on_both_nodes_and_comes_back_when_added_again()
    {
        await using var scene = await OutOfTheRoomAsync(TakeOut.Removal);

        Assert.That(scene.LeftAfter, Is.LessThanOrEqualTo(WithinASecond),
            "the opted-in socket's left frame, measured from the HTTP answer (1 s in the contract, see WithinASecond)");
        await scene.Speaker.PostAckedAsync(scene.Room, "after the removal", "s-2");
        await scene.Speaker.ReceiveMessageAsync(scene.Room, "after the removal");
        await scene.Witness.ReceiveMessageAsync(scene.Room, "after the removal");
        await scene.OptedIn.ExpectNothingPendingAsync();
        await scene.Plain.ExpectNothingPendingAsync();

        await AssertShutOutAsync(scene);

        var added = await AddMemberAsync(B, scene.OwnerToken, scene.Room, scene.User);
        Assert.That(added.Status, Is.EqualTo(HttpStatusCode.Created), added.Text);
        await AssertBackInAsync(scene);
    }

    [Test]
    public async Task Ban_answers_201_with_the_ban_and_its_expiry_and_one_expiring_in_the_past_is_refused_400_invalid_parameter()
    {
        var owner = Ids.User("own");
        var ownerToken = TestTokens.For(owner);
        var room = await CreatedAsync(A, ownerToken, "open", Ids.Room("expiry"));
        var spared = Ids.User("spared");

        var past = await BanAsync(B, ownerToken, room, spared, "too late", IsoTime(TimeSpan.FromHours(-1)));
        var noReason = await BanAsync(B, ownerToken, room, spared, "");
        var longReason = await BanAsync(B, ownerToken, room, spared, new string('r', 257));

        AssertRefused(past, HttpStatusCode.BadRequest, "invalid_parameter");
        AssertRefused(noReason, HttpStatusCode.BadRequest, "invalid_parameter");
        AssertRefused(longReason, HttpStatusCode.BadRequest, "invalid_parameter");
        await using (var stillWelcome = await A.ConnectAsync(TestTokens.For(spared), path: $"/ws/chat/{room}"))
        {
            await stillWelcome.PostAckedAsync(room, "not banned", "s-1");
        }

        // A user who never came, so no node holds an older answer about them.
        var user = Ids.User("u");
        var userToken = TestTokens.For(user);
        var expiresAt = IsoTime(TimeSpan.FromHours(1));
        var banned = await BanAsync(A, ownerToken, room, user, new string('r', 256), expiresAt);
        var sinceAnswer = Stopwatch.StartNew();

        Assert.That(banned.Status, Is.EqualTo(HttpStatusCode.Created), banned.Text);
        var ban = banned.Json;
        Assert.That(ban.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(ban.GetProperty("userId").GetString(), Is.EqualTo(user));
        Assert.That(ban.GetProperty("reason").GetString(), Is.EqualTo(new string('r', 256)));
        Assert.That(Time(ban.GetProperty("expiresAt")), Is.EqualTo(Time(expiresAt)));
        Assert.That(ban.GetProperty("bannedBy").GetString(), Is.EqualTo(owner));
        Assert.That(Time(ban.GetProperty("bannedAt")), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(5)));
        foreach (var node in new[] { A, B })
        {
            var remaining = WithinASecond - sinceAnswer.Elapsed;
            await PollAsync(() => ConnectStatusAsync(node, room, userToken), HttpStatusCode.Forbidden, "a connect of the banned user",
                remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat/{room}?token={userToken}"), HttpStatusCode.Forbidden, "forbidden_room", userToken);
        }

        var forever = await BanAsync(B, ownerToken, room, user, "replaced");
        Assert.That(forever.Status, Is.EqualTo(HttpStatusCode.Created), forever.Text);
        Assert.That(forever.Json.GetProperty("expiresAt").ValueKind, Is.EqualTo(JsonValueKind.Null), "banning again replaces the ban");
        Assert.That(forever.Json.GetProperty("reason").GetString(), Is.EqualTo("replaced"));
    }

    [Test]
    public async Task Moderator_bans_a_member_but_not_the_owner_or_another_moderator_403_forbidden()
    {
        var owner = Ids.User("own");
        var ownerToken = TestTokens.For(owner);
        var room = await CreatedAsync(A, ownerToken, "open", Ids.Room("ranks"));
        var (moderator, otherModerator, member) = (Ids.User("mod"), Ids.User("mod2"), Ids.User("mem"));
        await AddedAsync(A, ownerToken, room, moderator, "moderator");
        await AddedAsync(A, ownerToken, room, otherModerator, "moderator");
        await AddedAsync(A, ownerToken, room, member);
        var moderatorToken = TestTokens.For(moderator);

        var theOwner = await BanAsync(B, moderatorToken, room, owner, "coup");
        var aPeer = await BanAsync(B, moderatorToken, room, otherModerator, "rivalry");
        var aMember = await BanAsync(B, moderatorToken, room, member, "spam");

        AssertRefused(theOwner, HttpStatusCode.Forbidden, "forbidden", moderatorToken);
        AssertRefused(aPeer, HttpStatusCode.Forbidden, "forbidden", moderatorToken);
        Assert.That(aMember.Status, Is.EqualTo(HttpStatusCode.Created), aMember.Text);
        Assert.That(aMember.Json.GetProperty("bannedBy").GetString(), Is.EqualTo(moderator));
        await using var ownerSocket = await B.ConnectAsync(ownerToken, path: $"/ws/chat/{room}");
        await ownerSocket.PostAckedAsync(room, "the owner is not banned", "o-1");
    }

    [Test]
    public async Task Plain_member_or_a_passer_by_cannot_ban_or_mute_403_forbidden()
    {
        var ownerToken = TestTokens.For(Ids.User("own"));
        var room = await CreatedAsync(A, ownerToken, "open", Ids.Room("nobody"));
        var member = Ids.User("mem");
        await AddedAsync(A, ownerToken, room, member);
        var memberToken = TestTokens.For(member);
        var passerBy = TestTokens.For(Ids.User("pass"));
        var victim = Ids.User("victim");

        AssertRefused(await BanAsync(B, memberToken, room, victim, "because"), HttpStatusCode.Forbidden, "forbidden", memberToken);
        AssertRefused(await BanAsync(A, passerBy, room, victim, "because"), HttpStatusCode.Forbidden, "forbidden", passerBy);
        AssertRefused(await MuteAsync(B, memberToken, room, victim), HttpStatusCode.Forbidden, "forbidden", memberToken);
        AssertRefused(await MuteAsync(A, passerBy, room, victim), HttpStatusCode.Forbidden, "forbidden", passerBy);

        await using var socket = await B.ConnectAsync(TestTokens.For(victim), path: $"/ws/chat/{room}");
        await socket.PostAckedAsync(room, "neither banned nor muted", "v-1");
    }

    // ---- mutes ------------------------------------------------------------------------------------

    [Test]
    public async Task Muted_user_still_receives_messages_but_its_posts_are_refused_forbidden_until_unmuted()
    {
        var ownerToken = TestTokens.For(Ids.User("own"));
        var room = await CreatedAsync(A, ownerToken, "open", Ids.Room("mute"));
        var user = Ids.User("loud");

        // Muted before the user first comes, on the node they come to: no node holds an older answer about them.
        var muted = await MuteAsync(A, ownerToken, room, user, "shouting");
        Assert.That(muted.Status, Is.EqualTo(HttpStatusCode.Created), muted.Text);
        await using var loud = await A.ConnectAsync(TestTokens.For(user, "loud"), path: $"/ws/chat/{room}");
        await using var other = await B.ConnectAsync(TestTokens.For(Ids.User("quiet"), "quiet"), path: $"/ws/chat/{room}");

        await other.PostAckedAsync(room, "can you hear me?", "q-1");
        await other.ReceiveMessageAsync(room, "can you hear me?");
        await loud.ReceiveMessageAsync(room, "can you hear me?");

        var refused = await loud.PostAsync(room, "let me speak", "l-1");
        AssertError(refused, "forbidden", "l-1");
        await loud.SendTextAsync("""{"message": "the tutorial form too"}""");
        await loud.ExpectErrorAsync("forbidden");
        await other.ExpectNothingPendingAsync();
        Assert.That(await StoredTextsAsync(B, room), Is.EqualTo(new[] { "can you hear me?" }));

        var unmuted = await UnmuteAsync(A, ownerToken, room, user);
        Assert.That(unmuted.Status, Is.EqualTo(HttpStatusCode.NoContent), unmuted.Text);

        // Refused posts store nothing, so re-sending with the same clientMsgId until one is acked stores it once.
        await PollAsync(async () => CodeOf(await loud.PostAsync(room, "let me speak", "l-1")), "ack", "the unmuted user's post", Generously,
            TimeSpan.FromMilliseconds(250));
        await other.ReceiveMessageAsync(room, "let me speak");
        Assert.That(await StoredTextsAsync(B, room), Is.EqualTo(new[] { "can you hear me?", "let me speak" }));
    }

    // ---- slow mode --------------------------------------------------------------------------------

    [Test]
    public async Task Slow_mode_refuses_a_second_post_on_the_other_node_with_retry_after_and_exempts_the_owner()
    {
        var ownerToken = TestTokens.For(Ids.User("own"), "owner");
        var room = await CreatedAsync(A, ownerToken, "open", Ids.Room("slow"));
        await SlowModeAsync(A, ownerToken, room, 30);
        foreach (var node in new[] { A, B })
        {
            await Eventually.ThatAsync(async () => (await GetAsync(node, ownerToken, room)).Json.GetProperty("slowModeSeconds").GetInt32(),
                Is.EqualTo(30), "slow mode, as each node answers it");
        }

        var userToken = TestTokens.For(Ids.User("u"), "user");
        await using var here = await A.ConnectAsync(userToken, path: $"/ws/chat/{room}");
        await using var there = await B.ConnectAsync(userToken, path: $"/ws/chat/{room}");
        await using var witness = await B.ConnectAsync(TestTokens.For(Ids.User("w")), path: $"/ws/chat/{room}");
        await using var owner = await A.ConnectAsync(ownerToken, path: $"/ws/chat/{room}");

        await here.PostAckedAsync(room, "first", "s-1");
        var second = await there.PostAsync(room, "second, too soon", "s-2");

        AssertError(second, "rate_limited", "s-2");
        var retryAfter = second.GetProperty("retryAfter");
        Assert.That(retryAfter.ValueKind, Is.EqualTo(JsonValueKind.Number), second.ToString());
        Assert.That(retryAfter.GetDouble(), Is.InRange(1, 30_000), "milliseconds until the user may post again");

        await owner.PostAckedAsync(room, "owner one", "o-1");
        await owner.PostAckedAsync(room, "owner two", "o-2");

        await witness.ReceiveMessageAsync(room, "first");
        await witness.ReceiveMessageAsync(room, "owner one");
        await witness.ReceiveMessageAsync(room, "owner two");
        await witness.ExpectNothingPendingAsync();
        Assert.That(await StoredTextsAsync(A, room), Is.EqualTo(new[] { "first", "owner one", "owner two" }));
    }

    // ---- audit ------------------------------------------------------------------------------------

    [Test]
    public async Task Owner_reads_the_audit_newest_first_with_actor_target_and_reason_and_a_moderator_may_not()
    {
        var owner = Ids.User("own");
        var ownerToken = TestTokens.For(owner);
        var room = await CreatedAsync(A, ownerToken, "private");
        var (moderator, member, stranger) = (Ids.User("mod"), Ids.User("mem"), Ids.User("str"));
        await AddedAsync(A, ownerToken, room, moderator, "moderator");
        await AddedAsync(B, ownerToken, room, member);
        Assert.That((await MuteAsync(A, ownerToken, room, member, "flooding")).Status, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await BanAsync(B, ownerToken, room, stranger, "spam")).Status, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await UnbanAsync(A, ownerToken, room, stranger)).Status, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await RemoveMemberAsync(B, ownerToken, room, member)).Status, Is.EqualTo(HttpStatusCode.NoContent));

        var audit = await AuditAsync(A, ownerToken, room);

        Assert.That(audit.Status, Is.EqualTo(HttpStatusCode.OK), audit.Text);
        Assert.That(audit.Json.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(audit.Json.GetProperty("hasMore").GetBoolean(), Is.False);
        var entries = audit.Json.GetProperty("entries").EnumerateArray().ToList();
        Assert.That(entries.Take(6).Select(e => (Str(e, "action"), Str(e, "actor"), Str(e, "target"))), Is.EqualTo(new[]
        {
            ("member.remove", owner, member),
            ("unban", owner, stranger),
            ("ban", owner, stranger),
            ("mute", owner, member),
            ("member.add", owner, member),
            ("member.add", owner, moderator),
        }), audit.Text);
        Assert.That(Str(entries[2], "reason"), Is.EqualTo("spam"));
        Assert.That(Str(entries[3], "reason"), Is.EqualTo("flooding"));
        Assert.That(entries.Skip(6).Select(e => (Str(e, "action"), Str(e, "actor"))), Does.Contain(("room.create", owner)), audit.Text);
        var ids = entries.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.That(ids, Is.Ordered.Descending, "newest first");
        Assert.That(entries.Select(e => Time(e.GetProperty("at"))), Is.Ordered.Descending);

        var firstPage = await AuditAsync(B, ownerToken, room, "?limit=2");
        var nextPage = await AuditAsync(B, ownerToken, room, $"?limit=2&before={ids[1]}");
        Assert.That(firstPage.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()), Is.EqualTo(ids.Take(2)));
        Assert.That(firstPage.Json.GetProperty("hasMore").GetBoolean(), Is.True);
        Assert.That(nextPage.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()), Is.EqualTo(ids.Skip(2).Take(2)));

        var moderatorToken = TestTokens.For(moderator);
        AssertRefused(await AuditAsync(B, moderatorToken, room), HttpStatusCode.Forbidden, "forbidden", moderatorToken);
    }

    // ---- the scene of a ban or a removal ----------------------------------------------------------

    private enum TakeOut
    {
        Ban,
        Removal,
    }

    /// <summary>
    /// A room with the user in it twice — opted into <c>members</c> on A (and also in another room),
    /// not opted in on B — a speaker on A and a witness on B; everyone heard one message; then the
    /// owner banned or removed the user over HTTP on B, the opted-in socket got its <c>left</c>, and
    /// the other socket's <c>history</c> of the room was refused.
    /// </summary>
    private sealed record Scene(string Room, string OtherRoom, string OwnerToken, string User, string UserToken,
        ChatClient OptedIn, ChatClient Plain, ChatClient Speaker, ChatClient Witness,
        TimeSpan LeftAfter) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var client in new[] { OptedIn, Plain, Speaker, Witness })
            {
                await client.DisposeAsync();
            }
        }
    }

    private async Task<Scene> OutOfTheRoomAsync(TakeOut how)
    {
        var owner = Ids.User("own");
        var ownerToken = TestTokens.For(owner, "owner");
        var user = Ids.User("u");
        var userToken = TestTokens.For(user, "user");
        var witness = Ids.User("w");
        var witnessToken = TestTokens.For(witness, "witness");
        var room = await CreatedAsync(B, ownerToken, how == TakeOut.Ban ? "open" : "private", Ids.Room(how == TakeOut.Ban ? "ban" : "removal"));
        if (how == TakeOut.Removal)
        {
            await AddedAsync(B, ownerToken, room, user);
            await AddedAsync(B, ownerToken, room, witness);
        }

        var otherRoom = Ids.Room("other");
        var optedIn = await A.ConnectAsync(userToken, path: $"/ws/chat/{room}");
        var plain = await B.ConnectAsync(userToken, path: $"/ws/chat/{room}");
        var speaker = await A.ConnectAsync(ownerToken, path: $"/ws/chat/{room}");
        var witnessSocket = await B.ConnectAsync(witnessToken, path: $"/ws/chat/{room}");
        await optedIn.OptIntoMembersAsync();
        await optedIn.JoinAsync(otherRoom);

        await speaker.PostAckedAsync(room, "before", "s-1");
        foreach (var client in new[] { speaker, optedIn, plain, witnessSocket })
        {
            await client.ReceiveMessageAsync(room, "before");
        }

        var answer = how == TakeOut.Ban
            ? await BanAsync(B, ownerToken, room, user, "spam")
            : await RemoveMemberAsync(B, ownerToken, room, user);
        var sinceAnswer = Stopwatch.StartNew();
        if (how == TakeOut.Ban)
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.Text);
            Assert.That(answer.Json.GetProperty("userId").GetString(), Is.EqualTo(user));
            Assert.That(answer.Json.GetProperty("reason").GetString(), Is.EqualTo("spam"));
            Assert.That(answer.Json.GetProperty("expiresAt").ValueKind, Is.EqualTo(JsonValueKind.Null), "until unbanned");
            Assert.That(answer.Json.GetProperty("bannedBy").GetString(), Is.EqualTo(owner));
        }
        else
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.NoContent), answer.Text);
        }

        await optedIn.ReceiveLeftAsync(room, how == TakeOut.Ban ? "banned" : "removed");
        var leftAfter = sinceAnswer.Elapsed;

        // The socket that did not opt in is told nothing; the deadline holds for it too: a history
        // request sent before it passes must already be refused.
        var remaining = WithinASecond - sinceAnswer.Elapsed;
        await PollAsync(() => plain.HistoryCodeAsync(room), "forbidden_room", "history of the room, asked by the socket that did not opt in",
            remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, TimeSpan.FromMilliseconds(50));

        return new Scene(room, otherRoom, ownerToken, user, userToken, optedIn, plain, speaker, witnessSocket, leftAfter);
    }

    /// <summary>Every path into the room answers <c>forbidden_room</c> to the user, and the sockets stay open.</summary>
    private async Task AssertShutOutAsync(Scene scene)
    {
        foreach (var (client, tag) in new[] { (scene.OptedIn, "a"), (scene.Plain, "b") })
        {
            AssertError(await client.PostAsync(scene.Room, "may I?", $"post-{tag}"), "forbidden_room", $"post-{tag}");
            Assert.That(await client.JoinCodeAsync(scene.Room), Is.EqualTo("forbidden_room"));
            await client.SendAsync(new { type = "join", room = scene.Room, since = 0 });
            await client.ExpectErrorAsync("forbidden_room");
            Assert.That(await client.HistoryCodeAsync(scene.Room), Is.EqualTo("forbidden_room"));
            await client.ExpectNothingPendingAsync();
        }

        foreach (var node in new[] { A, B })
        {
            AssertRefused(await MessagesAsync(node, scene.UserToken, scene.Room), HttpStatusCode.Forbidden, "forbidden_room", scene.UserToken);
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat/{scene.Room}?token={scene.UserToken}"), HttpStatusCode.Forbidden,
                "forbidden_room", scene.UserToken);
        }
    }

    /// <summary>Once the ban is lifted (or the member added again), both sockets join again and hear the room.</summary>
    private async Task AssertBackInAsync(Scene scene)
    {
        foreach (var client in new[] { scene.OptedIn, scene.Plain })
        {
            await PollAsync(() => client.JoinCodeAsync(scene.Room), "joined", "a join of the room by the user let back in", Generously);
        }

        await scene.Speaker.PostAckedAsync(scene.Room, "welcome back", "s-back");
        var back = await scene.OptedIn.ReceiveSkippingMembersAsync("message");
        Assert.That(back.GetProperty("message").GetString(), Is.EqualTo("welcome back"));
        await scene.Plain.ReceiveMessageAsync(scene.Room, "welcome back");
        foreach (var node in new[] { A, B })
        {
            var read = await MessagesAsync(node, scene.UserToken, scene.Room);
            Assert.That(read.Status, Is.EqualTo(HttpStatusCode.OK), read.Text);
        }
    }

    /// <summary>The status a connect to <paramref name="room"/> gets: 101 (the socket is closed again at once) or the refusal's.</summary>
    private static async Task<HttpStatusCode> ConnectStatusAsync(ChatNode node, string room, string token)
    {
        var (client, status) = await ChatClient.TryConnectAsync(node.Chat($"/ws/chat/{room}?token={token}"));
        if (client is not null)
        {
            await client.DisposeAsync();
        }

        return status;
    }

    private static string? Str(JsonElement entry, string field) =>
        entry.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset Time(JsonElement value) => Time(value.GetString()!);

    private static DateTimeOffset Time(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
