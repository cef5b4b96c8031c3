using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using RawChat.Api.Http;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;

namespace RawChat.Api.Rooms;

/// <summary>
/// Rooms as records (docs/protocol.md §14.3, §14.4): <c>POST /api/rooms</c>, <c>GET</c> and <c>PATCH /api/rooms/{room}</c>,
/// <c>POST /api/dm</c> and <c>GET /api/me/rooms</c>.
/// </summary>
internal static class RoomEndpoints
{
    public const int MaxTopicLength = 256;
    public const int MaxSlowModeSeconds = 21_600;
    private const int DefaultMyRooms = 100;
    private const int MaxMyRooms = 500;

    public static RouteGroupBuilder MapRoomEndpoints(this RouteGroupBuilder rooms)
    {
        rooms.MapPost("/rooms", CreateAsync)
            .WithName("CreateRoom").WithTags("Rooms")
            .WithSummary("Create an open or private room; the caller is its owner")
            .Accepts<CreateRoomRequest>("application/json")
            .Produces<RoomBody>(StatusCodes.Status201Created)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_json, invalid_parameter (kind, topic, an open room without a name) or invalid_room")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room: the token's rooms claim does not allow the name")
            .Refuses(StatusCodes.Status409Conflict, "room_exists: the name has a record already (or holds messages); too_many_rooms: you are in Rooms:MaxRoomsPerUser rooms")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "message_too_big: the body is over Chat:MaxFrameBytes");
        rooms.MapGet("/rooms/{room}", GetAsync)
            .CheckedBeforeToken(RequestCheck.Room)
            .WithName("GetRoom").WithTags("Rooms")
            .WithSummary("Read a room's record")
            .Produces<RoomBody>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room: you may not read this room");
        rooms.MapPatch("/rooms/{room}", UpdateAsync)
            .CheckedBeforeToken(RequestCheck.Room)
            .WithName("UpdateRoom").WithTags("Rooms")
            .WithSummary("Change a room's topic or slow mode (owners and moderators)")
            .Accepts<UpdateRoomRequest>("application/json")
            .Produces<RoomBody>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room, invalid_json or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: not an owner or moderator")
            .Refuses(StatusCodes.Status404NotFound, "not_found: an implicit room without a record")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "message_too_big");
        rooms.MapPost("/dm", DirectAsync)
            .WithName("OpenDirectRoom").WithTags("Rooms")
            .WithSummary("The one direct room of the caller and another user, made on first use")
            .Accepts<DirectRoomRequest>("application/json")
            .Produces<RoomBody>(StatusCodes.Status201Created)
            .Produces<RoomBody>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_json or invalid_parameter (a user id, not your own)")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room: the token's rooms claim does not allow direct rooms (dm-*)")
            .Refuses(StatusCodes.Status409Conflict, "too_many_rooms: you or the other user are in Rooms:MaxRoomsPerUser rooms")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "message_too_big");
        rooms.MapGet("/me/rooms", MyRoomsAsync)
            .CheckedBeforeToken(request => ReadMyRoomsQuery(request.Query).Refusal)
            .WithName("ListMyRooms").WithTags("Rooms")
            .WithSummary("The rooms the caller is a member of, by name")
            .Documents(ParameterLocation.Query, "after", JsonSchemaType.String, "A room name, exclusive: the page after it.")
            .Documents(ParameterLocation.Query, "limit", JsonSchemaType.Integer, "1–500; default 100.")
            .Produces<MyRoomsPage>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_parameter");
        return rooms;
    }

    private static async Task<Results<JsonAnswer, Refusal>> CreateAsync(HttpContext context, RoomStore store, RoomChanges changes,
        RoomLimits limits, IOptions<ChatOptions> options)
    {
        var (body, refusal) = await RequestJson.ReadAsync(context.Request, options.Value.MaxFrameBytes).ConfigureAwait(false);
        if (body is null)
        {
            return refusal!;
        }

        var (kind, kindRefusal) = body.Text("kind", 16, required: true);
        var (name, nameRefusal) = body.Text("name", 256);
        var (topic, topicRefusal) = body.Text("topic", MaxTopicLength, nullable: true);
        if ((kindRefusal ?? nameRefusal ?? topicRefusal) is { } invalid)
        {
            return invalid;
        }

        if (kind is not (RoomKinds.Open or RoomKinds.Private))
        {
            return RequestJson.Invalid("\"kind\" must be open or private (direct rooms: POST /api/dm)");
        }

        if (name is null && kind == RoomKinds.Open)
        {
            return RequestJson.Invalid("an open room needs a \"name\"");
        }

        name ??= RoomStore.NewName("p-");
        if (!RoomName.IsValid(name))
        {
            return new Refusal(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRoom, "room names are 1-64 characters of A-Z a-z 0-9 _ . : -");
        }

        var user = context.Caller();
        if (!user.Rooms.Allows(name))
        {
            return RoomActors.ForbiddenRoom();
        }

        if (await limits.RefuseAnotherRoomAsync(user.UserId).ConfigureAwait(false) is { } tooMany)
        {
            return tooMany;
        }

        if (await store.CreateAsync(name, kind, topic, user.UserId).ConfigureAwait(false) is not { } created)
        {
            return new Refusal(StatusCodes.Status409Conflict, ErrorCodes.RoomExists, "a room of this name exists");
        }

        // Sockets already in a name that just became private and are not its members leave it (reason "closed").
        await changes.AnnounceAsync(name, null, RoomChange.Created, null, 0).ConfigureAwait(false);
        return RoomAnswers.Created(RoomBody.Of(created));
    }

    private static async Task<Results<JsonAnswer, Refusal>> GetAsync(string room, HttpContext context, RoomActors actors)
    {
        var (actor, refusal) = await actors.ResolveAsync(context, room).ConfigureAwait(false);
        return actor is null ? refusal! : RoomAnswers.Ok(RoomBody.Of(actor.Room));
    }

    private static async Task<Results<JsonAnswer, Refusal>> UpdateAsync(string room, HttpContext context, RoomActors actors, RoomStore store,
        RoomChanges changes, IOptions<ChatOptions> options)
    {
        var (actor, refusal) = await actors.ResolveAsync(context, room).ConfigureAwait(false);
        if ((refusal ?? actor!.RefuseUnlessModerator()) is { } refused)
        {
            return refused;
        }

        var (body, bodyRefusal) = await RequestJson.ReadAsync(context.Request, options.Value.MaxFrameBytes).ConfigureAwait(false);
        if (body is null)
        {
            return bodyRefusal!;
        }

        var (topic, topicRefusal) = body.Text("topic", MaxTopicLength, nullable: true);
        var (slowMode, slowRefusal) = body.Integer("slowModeSeconds", 0, MaxSlowModeSeconds);
        if ((topicRefusal ?? slowRefusal) is { } invalid)
        {
            return invalid;
        }

        var setTopic = body.Has("topic");
        var changed = new Dictionary<string, object?>();
        if (setTopic)
        {
            changed["topic"] = topic;
        }

        if (slowMode is not null)
        {
            changed["slowModeSeconds"] = slowMode;
        }

        var details = System.Text.Json.JsonSerializer.Serialize(changed);
        if (await store.UpdateAsync(room, setTopic, topic, slowMode, actor!.User.UserId, details).ConfigureAwait(false) is not { } updated)
        {
            return RoomAnswers.NotFound("the room has no record; create it first");
        }

        await changes.AnnounceAsync(room, null, RoomChange.Updated, null, 0).ConfigureAwait(false);
        return RoomAnswers.Ok(RoomBody.Of(updated));
    }

    private static async Task<Results<JsonAnswer, Refusal>> DirectAsync(HttpContext context, RoomStore store, RoomLimits limits,
        IOptions<ChatOptions> options)
    {
        var (body, refusal) = await RequestJson.ReadAsync(context.Request, options.Value.MaxFrameBytes).ConfigureAwait(false);
        if (body is null)
        {
            return refusal!;
        }

        var (other, otherRefusal) = body.Text("userId", RequestJson.MaxUserIdLength, required: true);
        if (otherRefusal is not null)
        {
            return otherRefusal;
        }

        var user = context.Caller();
        if (other == user.UserId)
        {
            return RequestJson.Invalid("a direct room is between two users");
        }

        // Direct room names are random, so only a prefix entry (dm-*) can allow them: any name stands for all.
        if (!user.Rooms.Allows(RoomStore.NewName("dm-")))
        {
            return RoomActors.ForbiddenRoom();
        }

        if (await store.FindDirectAsync(user.UserId, other!).ConfigureAwait(false) is { } existing)
        {
            return RoomAnswers.Ok(RoomBody.Of(existing));
        }

        if ((await limits.RefuseAnotherRoomAsync(user.UserId).ConfigureAwait(false)
            ?? await limits.RefuseAnotherRoomAsync(other!).ConfigureAwait(false)) is { } tooMany)
        {
            return tooMany;
        }

        var (room, created) = await store.DirectAsync(user.UserId, other!).ConfigureAwait(false);
        return created ? RoomAnswers.Created(RoomBody.Of(room)) : RoomAnswers.Ok(RoomBody.Of(room));
    }

    private static async Task<Results<JsonAnswer, Refusal>> MyRoomsAsync(HttpContext context, MemberStore members)
    {
        var (after, limit, _) = ReadMyRoomsQuery(context.Request.Query);
        var (rooms, hasMore) = await members.MyRoomsAsync(context.Caller().UserId, after, limit).ConfigureAwait(false);
        return RoomAnswers.Ok(new MyRoomsPage(
            [.. rooms.Select(r => new MyRoomEntry(r.Room, r.Kind, r.Topic, r.Role, r.LastSeq, RoomBody.Time(r.LastMessageAt)))], hasMore));
    }

    private static (string? After, int Limit, Refusal? Refusal) ReadMyRoomsQuery(IQueryCollection query)
    {
        string? after = null;
        if (query.TryGetValue("after", out var afterText))
        {
            after = afterText[0];
            if (!RoomName.IsValid(after))
            {
                return (null, 0, RequestJson.Invalid("after must be a room name"));
            }
        }

        var (limit, refusal) = PageLimit.Read(query, DefaultMyRooms, MaxMyRooms);
        return refusal is not null ? (null, 0, refusal) : (after, limit, null);
    }
}

/// <summary>The <c>limit</c> of a page: decimal digits from 1 to a maximum.</summary>
internal static class PageLimit
{
    public static (int Limit, Refusal? Refusal) Read(IQueryCollection query, int defaultLimit, int max)
    {
        if (!query.TryGetValue("limit", out var text))
        {
            return (defaultLimit, null);
        }

        return DecimalParameter.TryParse(text[0], 1, out var value) && value <= max
            ? ((int)value, null)
            : (0, RequestJson.Invalid($"limit must be between 1 and {max}"));
    }
}

// Request bodies, for the OpenAPI document; the handlers read the JSON themselves (RequestJson) to answer in the protocol's words.
internal sealed record CreateRoomRequest(string Kind, string? Name, string? Topic);

internal sealed record UpdateRoomRequest(string? Topic, int? SlowModeSeconds);

internal sealed record DirectRoomRequest(string UserId);
