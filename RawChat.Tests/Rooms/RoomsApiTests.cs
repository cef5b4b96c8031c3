using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.RoomsWithMembers.RoomsApi;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>
/// The rooms API of docs/protocol.md §14.3: creating, reading and changing rooms, their members and
/// roles, the caller's own rooms, paging a room of ten thousand members, and every refusal a client
/// can meet, on either node of two that share PostgreSQL and Redis.
/// </summary>
public sealed class RoomsApiTests() : TwoNodeFixture()
{
    // ---- creating ---------------------------------------------------------------------------------

    [Test]
    public async Task Creating_an_open_room_answers_201_with_the_room_and_the_caller_as_creator_and_either_node_reads_it()
    {
        var owner = Ids.User("own");
        var token = TestTokens.For(owner, "Olga");
        var name = Ids.Room("open");

        var created = await CreateAsync(A, token, "open", name, "Q3 launch");

        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.Created), created.Text);
        Assert.That(created.Response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var room = created.Json;
        Assert.That(room.GetProperty("room").GetString(), Is.EqualTo(name));
        Assert.That(room.GetProperty("kind").GetString(), Is.EqualTo("open"));
        Assert.That(room.GetProperty("topic").GetString(), Is.EqualTo("Q3 launch"));
        Assert.That(room.GetProperty("createdBy").GetString(), Is.EqualTo(owner));
        Assert.That(room.GetProperty("createdAt").GetString(), Does.Match(Timestamp));
        Assert.That(room.GetProperty("slowModeSeconds").GetInt32(), Is.Zero);

        var read = await GetAsync(B, TestTokens.For(Ids.User("anyone")), name);
        Assert.That(read.Status, Is.EqualTo(HttpStatusCode.OK), read.Text);
        foreach (var field in new[] { "room", "kind", "topic", "createdBy", "createdAt", "slowModeSeconds" })
        {
            Assert.That(read.Json.GetProperty(field).GetRawText(), Is.EqualTo(room.GetProperty(field).GetRawText()), field);
        }
    }

    [Test]
    public async Task Private_room_without_a_name_gets_p_and_20_letters_or_digits_and_the_caller_owns_it()
    {
        var owner = Ids.User("own");
        var token = TestTokens.For(owner);

        var first = await CreateAsync(A, token, "private");
        var second = await CreateAsync(B, token, "private");

        foreach (var answer in new[] { first, second })
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.Text);
            Assert.That(answer.Json.GetProperty("room").GetString(), Does.Match("^p-[A-Za-z0-9]{20}$"));
            Assert.That(answer.Json.GetProperty("kind").GetString(), Is.EqualTo("private"));
            Assert.That(answer.Json.GetProperty("createdBy").GetString(), Is.EqualTo(owner));
            Assert.That(answer.Json.GetProperty("topic").ValueKind, Is.EqualTo(JsonValueKind.Null), "no topic was given");
        }

        Assert.That(first.Json.GetProperty("room").GetString(), Is.Not.EqualTo(second.Json.GetProperty("room").GetString()));
        var members = await MembersAsync(A, token, first.Json.GetProperty("room").GetString()!);
        Assert.That(members.Status, Is.EqualTo(HttpStatusCode.OK), members.Text);
        Assert.That(Memberships(members.Json), Is.EqualTo(new[] { (owner, "owner") }));
    }

    [Test]
    public async Task Open_room_without_a_name_is_refused_400_invalid_parameter()
    {
        var answer = await CreateAsync(A, TestTokens.For(Ids.User()), "open");
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [TestCase("direct")]
    [TestCase("secret")]
    [TestCase("Open")]
    public async Task Kind_other_than_open_or_private_is_refused_400_invalid_parameter(string kind)
    {
        var answer = await CreateAsync(A, TestTokens.For(Ids.User()), kind, Ids.Room("kind"));
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Test]
    public async Task Topic_over_256_characters_is_refused_400_invalid_parameter_and_one_of_256_is_kept()
    {
        var token = TestTokens.For(Ids.User());

        var tooLong = await CreateAsync(A, token, "open", Ids.Room("topic"), new string('t', 257));
        var atLimit = await CreateAsync(A, token, "open", Ids.Room("topic"), new string('t', 256));

        AssertRefused(tooLong, HttpStatusCode.BadRequest, "invalid_parameter");
        Assert.That(atLimit.Status, Is.EqualTo(HttpStatusCode.Created), atLimit.Text);
        Assert.That(atLimit.Json.GetProperty("topic").GetString(), Is.EqualTo(new string('t', 256)));
    }

    [TestCase("bad!room")]
    [TestCase("bad room")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Name_that_breaks_the_naming_rule_is_refused_400_invalid_room(string name)
    {
        foreach (var kind in new[] { "open", "private" })
        {
            var answer = await CreateAsync(A, TestTokens.For(Ids.User()), kind, name);
            AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
        }
    }

    [Test]
    public async Task Second_create_of_the_same_name_is_refused_409_room_exists_on_either_node_and_the_room_is_unchanged()
    {
        var owner = Ids.User("own");
        var name = await CreatedAsync(A, TestTokens.For(owner), "open", Ids.Room("twice"), "first");
        var other = TestTokens.For(Ids.User("other"));

        var again = await CreateAsync(A, TestTokens.For(owner), "open", name, "second");
        var elsewhere = await CreateAsync(B, other, "private", name);

        AssertRefused(again, HttpStatusCode.Conflict, "room_exists");
        AssertRefused(elsewhere, HttpStatusCode.Conflict, "room_exists");
        var room = (await GetAsync(B, other, name)).Json;
        Assert.That(room.GetProperty("kind").GetString(), Is.EqualTo("open"));
        Assert.That(room.GetProperty("topic").GetString(), Is.EqualTo("first"));
        Assert.That(room.GetProperty("createdBy").GetString(), Is.EqualTo(owner));
    }

    [Test]
    public async Task Create_of_a_name_that_already_holds_messages_is_refused_409_room_exists()
    {
        var name = Ids.Room("used");
        await StoredMessages.SeedAsync(name, 1, Ids.User("seed"), "said before the room had a record");

        foreach (var kind in new[] { "open", "private" })
        {
            var answer = await CreateAsync(A, TestTokens.For(Ids.User()), kind, name);
            AssertRefused(answer, HttpStatusCode.Conflict, "room_exists");
        }
    }

    // ---- reading ----------------------------------------------------------------------------------

    [Test]
    public async Task Implicit_room_answers_kind_open_with_no_creator_whether_or_not_it_holds_messages()
    {
        var never = Ids.Room("implicit");
        var used = Ids.Room("implicit-used");
        await StoredMessages.SeedAsync(used, 2, Ids.User("seed"), "hello");
        var token = TestTokens.For(Ids.User());

        foreach (var name in new[] { never, used })
        {
            var answer = await GetAsync(B, token, name);

            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Text);
            var room = answer.Json;
            Assert.That(room.GetProperty("room").GetString(), Is.EqualTo(name));
            Assert.That(room.GetProperty("kind").GetString(), Is.EqualTo("open"));
            Assert.That(room.GetProperty("createdBy").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(room.GetProperty("createdAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(room.GetProperty("slowModeSeconds").GetInt32(), Is.Zero);
        }
    }

    // ---- changing ---------------------------------------------------------------------------------

    [Test]
    public async Task Owner_changes_topic_and_slow_mode_and_both_nodes_answer_the_change()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private", topic: "before");

        var changed = await PatchAsync(B, token, name, new { topic = "after", slowModeSeconds = 21600 });

        Assert.That(changed.Status, Is.EqualTo(HttpStatusCode.OK), changed.Text);
        Assert.That(changed.Json.GetProperty("room").GetString(), Is.EqualTo(name));
        Assert.That(changed.Json.GetProperty("topic").GetString(), Is.EqualTo("after"));
        Assert.That(changed.Json.GetProperty("slowModeSeconds").GetInt32(), Is.EqualTo(21600));
        // A node keeps what it read of a room until Redis tells it of a change (§14.7): the other node catches up.
        await Eventually.ThatAsync(async () => (await GetAsync(A, token, name)).Json.GetProperty("topic").GetString(), Is.EqualTo("after"),
            "the topic, read on the other node");
        Assert.That((await GetAsync(A, token, name)).Json.GetProperty("slowModeSeconds").GetInt32(), Is.EqualTo(21600));

        var cleared = await CallRawAsync(A, HttpMethod.Patch, $"/api/rooms/{name}", token, """{"topic": null}""");

        Assert.That(cleared.Status, Is.EqualTo(HttpStatusCode.OK), cleared.Text);
        Assert.That(cleared.Json.GetProperty("topic").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(cleared.Json.GetProperty("slowModeSeconds").GetInt32(), Is.EqualTo(21600), "a field not sent stays as it was");
    }

    [Test]
    public async Task Moderator_may_change_the_topic_but_a_plain_member_is_refused_403_forbidden()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private", topic: "kept");
        var moderator = Ids.User("mod");
        var member = Ids.User("mem");
        await AddedAsync(A, token, name, moderator, "moderator");
        await AddedAsync(A, token, name, member);

        var byModerator = await PatchAsync(B, TestTokens.For(moderator), name, new { topic = "by the moderator" });
        var memberToken = TestTokens.For(member);
        var byMember = await PatchAsync(B, memberToken, name, new { topic = "by a member" });
        var slowByMember = await PatchAsync(A, memberToken, name, new { slowModeSeconds = 5 });

        Assert.That(byModerator.Status, Is.EqualTo(HttpStatusCode.OK), byModerator.Text);
        AssertRefused(byMember, HttpStatusCode.Forbidden, "forbidden", memberToken);
        AssertRefused(slowByMember, HttpStatusCode.Forbidden, "forbidden", memberToken);
        await Eventually.ThatAsync(async () => (await GetAsync(A, memberToken, name)).Json.GetProperty("topic").GetString(),
            Is.EqualTo("by the moderator"), "the topic, read on the other node");
        Assert.That((await GetAsync(A, memberToken, name)).Json.GetProperty("slowModeSeconds").GetInt32(), Is.Zero);
    }

    [TestCase(21601)]
    [TestCase(-1)]
    public async Task Slow_mode_outside_0_to_21600_seconds_is_refused_400_invalid_parameter(int seconds)
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "open", Ids.Room("slow"));

        var answer = await PatchAsync(B, token, name, new { slowModeSeconds = seconds });

        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
        Assert.That((await GetAsync(A, token, name)).Json.GetProperty("slowModeSeconds").GetInt32(), Is.Zero);
    }

    // ---- members ----------------------------------------------------------------------------------

    [Test]
    public async Task Member_is_added_201_then_200_for_a_repeat_listed_in_user_id_order_and_removed_204_then_404()
    {
        var owner = Ids.User("own");
        var token = TestTokens.For(owner);
        var name = await CreatedAsync(A, token, "private");
        var member = Ids.User("mem");
        var moderator = Ids.User("mod");

        var added = await AddMemberAsync(A, token, name, member);
        var repeat = await AddMemberAsync(B, token, name, member, "moderator");
        var addedModerator = await AddMemberAsync(B, token, name, moderator, "moderator");

        Assert.That(added.Status, Is.EqualTo(HttpStatusCode.Created), added.Text);
        Assert.That(Membership(added.Json), Is.EqualTo((name, member, member, "member")),
            "role member by default, and a user who never connected is named by their id");
        Assert.That(repeat.Status, Is.EqualTo(HttpStatusCode.OK), repeat.Text);
        Assert.That(Membership(repeat.Json), Is.EqualTo((name, member, member, "member")), "a repeat does not change the role");
        Assert.That(addedModerator.Status, Is.EqualTo(HttpStatusCode.Created), addedModerator.Text);
        Assert.That(addedModerator.Json.GetProperty("role").GetString(), Is.EqualTo("moderator"));

        var list = await MembersAsync(B, token, name);
        Assert.That(list.Status, Is.EqualTo(HttpStatusCode.OK), list.Text);
        Assert.That(list.Json.GetProperty("room").GetString(), Is.EqualTo(name));
        Assert.That(list.Json.GetProperty("hasMore").GetBoolean(), Is.False);
        Assert.That(Memberships(list.Json), Is.EqualTo(
            new[] { (owner, "owner"), (member, "member"), (moderator, "moderator") }.OrderBy(m => m.Item1, StringComparer.Ordinal)));

        var removed = await RemoveMemberAsync(A, token, name, member);
        var removedAgain = await RemoveMemberAsync(B, token, name, member);

        Assert.That(removed.Status, Is.EqualTo(HttpStatusCode.NoContent), removed.Text);
        Assert.That(removed.Text, Is.Empty);
        AssertRefused(removedAgain, HttpStatusCode.NotFound, "not_found", token);
        await Eventually.ThatAsync(async () => Memberships((await MembersAsync(A, token, name)).Json).Select(m => m.UserId).ToList(),
            Is.EquivalentTo(new[] { owner, moderator }), "the members, listed on the other node");
    }

    [Test]
    public async Task Members_page_with_after_and_limit()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private");
        foreach (var user in Enumerable.Range(0, 4).Select(_ => Ids.User("mem")))
        {
            await AddedAsync(A, token, name, user);
        }

        var all = Memberships((await MembersAsync(B, token, name)).Json).Select(m => m.UserId).ToList();
        var first = await MembersAsync(B, token, name, "?limit=2");
        var rest = await MembersAsync(B, token, name, $"?limit=200&after={all[1]}");

        Assert.That(all, Has.Count.EqualTo(5));
        Assert.That(all, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(Memberships(first.Json).Select(m => m.UserId), Is.EqualTo(all.Take(2)));
        Assert.That(first.Json.GetProperty("hasMore").GetBoolean(), Is.True);
        Assert.That(Memberships(rest.Json).Select(m => m.UserId), Is.EqualTo(all.Skip(2)));
        Assert.That(rest.Json.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Member_added_before_ever_connecting_is_named_by_id_until_they_call_in()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private");
        var member = Ids.User("late");
        await AddedAsync(A, token, name, member);
        Assert.That(NameOf((await MembersAsync(A, token, name)).Json, member), Is.EqualTo(member));

        var call = await MyRoomsAsync(B, TestTokens.For(member, "Lena Late"));
        Assert.That(call.Status, Is.EqualTo(HttpStatusCode.OK), call.Text);

        await Eventually.ThatAsync(async () => NameOf((await MembersAsync(A, token, name)).Json, member), Is.EqualTo("Lena Late"),
            "the member's name once their token was seen");
    }

    [Test]
    public async Task Owner_changes_a_role_200_and_a_moderator_may_not_403_forbidden()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private");
        var moderator = Ids.User("mod");
        var member = Ids.User("mem");
        await AddedAsync(A, token, name, moderator, "moderator");
        await AddedAsync(A, token, name, member);
        var moderatorToken = TestTokens.For(moderator);

        var promoted = await SetRoleAsync(B, token, name, member, "moderator");
        var byModerator = await SetRoleAsync(B, moderatorToken, name, member, "member");

        Assert.That(promoted.Status, Is.EqualTo(HttpStatusCode.OK), promoted.Text);
        Assert.That(Membership(promoted.Json), Is.EqualTo((name, member, member, "moderator")));
        AssertRefused(byModerator, HttpStatusCode.Forbidden, "forbidden", moderatorToken);
        await Eventually.ThatAsync(async () => Memberships((await MembersAsync(A, token, name)).Json), Does.Contain((member, "moderator")),
            "the members, listed on the other node");
    }

    [Test]
    public async Task Moderator_adds_members_but_not_moderators_or_owners_and_a_plain_member_adds_no_one()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private");
        var moderator = Ids.User("mod");
        var member = Ids.User("mem");
        await AddedAsync(A, token, name, moderator, "moderator");
        await AddedAsync(A, token, name, member);
        var moderatorToken = TestTokens.For(moderator);
        var memberToken = TestTokens.For(member);

        var plain = await AddMemberAsync(B, moderatorToken, name, Ids.User("new"));
        var asModerator = await AddMemberAsync(B, moderatorToken, name, Ids.User("new"), "moderator");
        var asOwner = await AddMemberAsync(B, moderatorToken, name, Ids.User("new"), "owner");
        var byMember = await AddMemberAsync(A, memberToken, name, Ids.User("new"));

        Assert.That(plain.Status, Is.EqualTo(HttpStatusCode.Created), plain.Text);
        AssertRefused(asModerator, HttpStatusCode.Forbidden, "forbidden", moderatorToken);
        AssertRefused(asOwner, HttpStatusCode.Forbidden, "forbidden", moderatorToken);
        AssertRefused(byMember, HttpStatusCode.Forbidden, "forbidden", memberToken);
        await Eventually.ThatAsync(async () => Memberships((await MembersAsync(A, token, name)).Json), Has.Length.EqualTo(4),
            "the members, listed on the other node");
    }

    [Test]
    public async Task Member_leaves_by_deleting_itself_204_and_then_cannot_read_the_private_room()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private");
        var member = Ids.User("mem");
        await AddedAsync(A, token, name, member);
        var memberToken = TestTokens.For(member);
        Assert.That((await GetAsync(B, memberToken, name)).Status, Is.EqualTo(HttpStatusCode.OK));

        var left = await RemoveMemberAsync(B, memberToken, name, member);

        Assert.That(left.Status, Is.EqualTo(HttpStatusCode.NoContent), left.Text);
        foreach (var node in new[] { A, B })
        {
            await Eventually.ThatAsync(async () => (await GetAsync(node, memberToken, name)).Status, Is.EqualTo(HttpStatusCode.Forbidden),
                "the room, read by the member who left");
            AssertRefused(await GetAsync(node, memberToken, name), HttpStatusCode.Forbidden, "forbidden_room", memberToken);
        }
    }

    // ---- my rooms ---------------------------------------------------------------------------------

    [Test]
    public async Task My_rooms_lists_the_rooms_i_created_and_was_added_to_with_role_last_seq_and_last_message_at()
    {
        var me = Ids.User("me");
        var myToken = TestTokens.For(me, "Mia");
        var mine = await CreatedAsync(A, myToken, "open", Ids.Room("mine"), "my topic");
        var ownerToken = TestTokens.For(Ids.User("own"));
        var theirs = await CreatedAsync(B, ownerToken, "private");
        await AddedAsync(B, ownerToken, theirs, me);

        var before = await MyRoomsAsync(A, myToken);

        Assert.That(before.Status, Is.EqualTo(HttpStatusCode.OK), before.Text);
        Assert.That(before.Json.GetProperty("hasMore").GetBoolean(), Is.False);
        var rooms = before.Json.GetProperty("rooms").EnumerateArray().ToList();
        Assert.That(rooms.Select(r => r.GetProperty("room").GetString()),
            Is.EqualTo(new[] { mine, theirs }.OrderBy(r => r, StringComparer.Ordinal)), "by name");
        var open = rooms.Single(r => r.GetProperty("room").GetString() == mine);
        Assert.That(open.GetProperty("kind").GetString(), Is.EqualTo("open"));
        Assert.That(open.GetProperty("topic").GetString(), Is.EqualTo("my topic"));
        Assert.That(open.GetProperty("role").GetString(), Is.EqualTo("owner"));
        Assert.That(open.GetProperty("lastSeq").GetInt64(), Is.Zero);
        Assert.That(open.GetProperty("lastMessageAt").ValueKind, Is.EqualTo(JsonValueKind.Null), "no message yet");
        var added = rooms.Single(r => r.GetProperty("room").GetString() == theirs);
        Assert.That(added.GetProperty("kind").GetString(), Is.EqualTo("private"));
        Assert.That(added.GetProperty("topic").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(added.GetProperty("role").GetString(), Is.EqualTo("member"));
        Assert.That(added.GetProperty("lastSeq").GetInt64(), Is.Zero);
        Assert.That(added.GetProperty("lastMessageAt").ValueKind, Is.EqualTo(JsonValueKind.Null));

        await using var socket = await B.ConnectAsync(myToken, path: $"/ws/chat/{theirs}");
        var ack = await socket.PostAckedAsync(theirs, "first words", "mine-1");

        var after = await MyRoomsAsync(B, myToken);
        var posted = after.Json.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == theirs);
        Assert.That(posted.GetProperty("lastSeq").GetInt64(), Is.EqualTo(ack.GetProperty("seq").GetInt64()));
        Assert.That(posted.GetProperty("lastMessageAt").GetString(), Does.Match(Timestamp));
        Assert.That(DateTimeOffset.Parse(posted.GetProperty("lastMessageAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(DateTimeOffset.Parse(ack.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture)),
            "the last message's timestamp");
    }

    [Test]
    public async Task My_rooms_page_by_name_with_after_and_limit()
    {
        var me = Ids.User("me");
        var token = TestTokens.For(me);
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            names.Add(await CreatedAsync(i % 2 == 0 ? A : B, token, "private"));
        }

        names.Sort(StringComparer.Ordinal);

        var first = await MyRoomsAsync(A, token, "?limit=2");
        var rest = await MyRoomsAsync(B, token, $"?after={names[1]}");

        Assert.That(first.Json.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()), Is.EqualTo(names.Take(2)));
        Assert.That(first.Json.GetProperty("hasMore").GetBoolean(), Is.True);
        Assert.That(rest.Json.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()), Is.EqualTo(names.Skip(2)));
        Assert.That(rest.Json.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    // ---- ten thousand members ---------------------------------------------------------------------

    [Test]
    public async Task Room_of_ten_thousand_members_pages_through_every_member_once_in_byte_order()
    {
        var owner = Ids.User("zz-own");
        var token = TestTokens.For(owner);
        var name = await CreatedAsync(A, token, "private");
        await using (var db = new NpgsqlConnection(await SharedDatabase.GetAsync()))
        {
            await db.ExecuteAsync(
                """
                INSERT INTO room_members (room, user_id, role, added_at)
                SELECT @room, 'm' || lpad(i::text, 5, '0'), 'member', now() FROM generate_series(1, 9999) i
                """, new { room = name });
        }

        var members = await AllMembersAsync(B, token, name, limit: 200);

        var expected = Enumerable.Range(1, 9999).Select(i => $"m{i:D5}").Append(owner).Order(StringComparer.Ordinal).ToList();
        var ids = members.Select(m => m.GetProperty("userId").GetString()!).ToList();
        Assert.That(ids, Has.Count.EqualTo(10_000));
        Assert.That(ids, Is.Unique);
        Assert.That(ids, Is.EqualTo(expected), "every member exactly once, in byte order");
        Assert.That(members.Single(m => m.GetProperty("userId").GetString() == owner).GetProperty("role").GetString(), Is.EqualTo("owner"));
        Assert.That(members.Count(m => m.GetProperty("role").GetString() == "member"), Is.EqualTo(9999));
    }

    // ---- refusals ---------------------------------------------------------------------------------

    [Test]
    public async Task Call_without_a_token_is_refused_401_with_a_bearer_challenge()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private");

        var answers = new[]
        {
            await CreateAsync(B, null, "open", Ids.Room("anon")),
            await GetAsync(B, null, name),
            await PatchAsync(B, null, name, new { topic = "anonymous" }),
            await MembersAsync(B, null, name),
            await AddMemberAsync(B, null, name, Ids.User()),
            await RemoveMemberAsync(B, null, name, Ids.User()),
            await SetRoleAsync(B, null, name, Ids.User(), "owner"),
            await MyRoomsAsync(B, null),
            await DirectAsync(B, null, Ids.User()),
            await BanAsync(B, null, name, Ids.User(), "anonymous"),
            await MuteAsync(B, null, name, Ids.User()),
            await AuditAsync(B, null, name),
        };

        foreach (var answer in answers)
        {
            AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token");
        }
    }

    [Test]
    public async Task Token_whose_rooms_claim_excludes_the_room_is_refused_403_forbidden_room_even_for_its_owner()
    {
        var owner = Ids.User("own");
        var name = await CreatedAsync(A, TestTokens.For(owner), "open", Ids.Room("claimed"));
        var narrowed = TestTokens.For(owner, rooms: ["elsewhere-*"]);

        var answers = new[]
        {
            await GetAsync(B, narrowed, name),
            await PatchAsync(B, narrowed, name, new { topic = "narrowed" }),
            await MembersAsync(B, narrowed, name),
            await AddMemberAsync(B, narrowed, name, Ids.User()),
            await BanAsync(B, narrowed, name, Ids.User(), "narrowed"),
            await AuditAsync(B, narrowed, name),
            await CreateAsync(B, narrowed, "open", Ids.Room("unclaimed")),
        };

        foreach (var answer in answers)
        {
            AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden_room", narrowed);
        }
    }

    [TestCase("/members?limit=0")]
    [TestCase("/members?limit=201")]
    [TestCase("/members?limit=")]
    [TestCase("/members?limit=x")]
    [TestCase("/audit?limit=201")]
    public async Task Limit_out_of_range_is_refused_400_invalid_parameter(string pathAndQuery)
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private");

        var answer = await CallAsync(B, HttpMethod.Get, $"/api/rooms/{name}{pathAndQuery}", token);

        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [TestCase("?limit=0")]
    [TestCase("?limit=501")]
    public async Task My_rooms_limit_outside_1_to_500_is_refused_400_invalid_parameter(string query)
    {
        AssertRefused(await MyRoomsAsync(A, TestTokens.For(Ids.User()), query), HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [TestCase("""{"kind": "open", "name": "%ROOM%", "topic": "a\u0000b"}""", TestName = "{m}(NUL in a topic)")]
    [TestCase("""{"kind": "open", "name": "%ROOM%", "topic": "a\ud800b"}""", TestName = "{m}(lone surrogate in a topic)")]
    [TestCase("""{"kind": "open", "name": "%ROOM%", "topic": 5}""", TestName = "{m}(a number for a topic)")]
    public async Task Text_that_cannot_be_stored_is_refused_400_invalid_parameter_and_nothing_is_created(string body)
    {
        var token = TestTokens.For(Ids.User("txt"));
        var room = Ids.Room("txt");

        var answer = await CallRawAsync(A, HttpMethod.Post, "/api/rooms", token, body.Replace("%ROOM%", room, StringComparison.Ordinal));

        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter", token);
        Assert.That((await GetAsync(B, token, room)).Json.GetProperty("createdBy").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null),
            "the refused request made no room");
    }

    [Test]
    public async Task A_user_id_or_reason_with_NUL_or_a_lone_surrogate_is_refused_400_invalid_parameter()
    {
        var token = TestTokens.For(Ids.User("own"));
        var room = await CreatedAsync(A, token, "private");

        AssertRefused(await CallRawAsync(A, HttpMethod.Post, $"/api/rooms/{room}/members", token, """{"userId": "a\u0000"}"""),
            HttpStatusCode.BadRequest, "invalid_parameter", token);
        AssertRefused(await CallRawAsync(B, HttpMethod.Post, $"/api/rooms/{room}/bans", token, """{"userId": "x", "reason": "\udc00"}"""),
            HttpStatusCode.BadRequest, "invalid_parameter", token);
        AssertRefused(await CallRawAsync(A, HttpMethod.Post, "/api/dm", token, """{"userId": "\ud800"}"""),
            HttpStatusCode.BadRequest, "invalid_parameter", token);
        AssertRefused(await MembersAsync(B, token, room, "?after=%00"), HttpStatusCode.BadRequest, "invalid_parameter", token);
    }

    [Test]
    public async Task Body_over_max_frame_bytes_is_refused_413_message_too_big()
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "open", Ids.Room("big"));
        var padding = new string(' ', 16_384);

        var create = await CallAsync(B, HttpMethod.Post, "/api/rooms", token, new { kind = "open", name = Ids.Room("big"), padding });
        var patch = await CallAsync(B, HttpMethod.Patch, $"/api/rooms/{name}", token, new { topic = "t", padding });

        AssertRefused(create, HttpStatusCode.RequestEntityTooLarge, "message_too_big");
        AssertRefused(patch, HttpStatusCode.RequestEntityTooLarge, "message_too_big");
    }

    [TestCase("{")]
    [TestCase("not json")]
    [TestCase("")]
    [TestCase("{\"kind\": \"open\"} {}")]
    public async Task Body_that_is_not_json_is_refused_400_invalid_json(string body)
    {
        var token = TestTokens.For(Ids.User("own"));
        var name = await CreatedAsync(A, token, "private");

        var create = await CallRawAsync(B, HttpMethod.Post, "/api/rooms", token, body);
        var patch = await CallRawAsync(B, HttpMethod.Patch, $"/api/rooms/{name}", token, body);
        var member = await CallRawAsync(A, HttpMethod.Post, $"/api/rooms/{name}/members", token, body);

        AssertRefused(create, HttpStatusCode.BadRequest, "invalid_json");
        AssertRefused(patch, HttpStatusCode.BadRequest, "invalid_json");
        AssertRefused(member, HttpStatusCode.BadRequest, "invalid_json");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static (string Room, string UserId, string Name, string Role) Membership(JsonElement json) => (
        json.GetProperty("room").GetString()!, json.GetProperty("userId").GetString()!,
        json.GetProperty("name").GetString()!, json.GetProperty("role").GetString()!);

    private static (string UserId, string Role)[] Memberships(JsonElement page) =>
        [.. page.GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("userId").GetString()!, m.GetProperty("role").GetString()!))];

    private static string? NameOf(JsonElement page, string userId) =>
        page.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("userId").GetString() == userId).GetProperty("name").GetString();
}
