using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using RawChat.Api.Http;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;

namespace RawChat.Api.Rooms;

/// <summary>A room's members (docs/protocol.md §14.3): list, add, remove (or leave), change a role.</summary>
internal static class MemberEndpoints
{
    private const int DefaultPage = 50;
    private const int MaxPage = 200;

    public static RouteGroupBuilder MapMemberEndpoints(this RouteGroupBuilder rooms)
    {
        rooms.MapGet("/rooms/{room}/members", ListAsync)
            .CheckedBeforeToken(request => RequestCheck.Room(request) ?? ReadPageQuery(request.Query).Refusal)
            .WithName("ListMembers").WithTags("Members")
            .WithSummary("A page of a room's members, by user id")
            .Documents(ParameterLocation.Query, "after", JsonSchemaType.String, "A user id, exclusive: the page after it.")
            .Documents(ParameterLocation.Query, "limit", JsonSchemaType.Integer, "1–200; default 50.")
            .Produces<MemberPage>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room: you may not read this room");
        rooms.MapPost("/rooms/{room}/members", AddAsync)
            .CheckedBeforeToken(RequestCheck.Room)
            .WithName("AddMember").WithTags("Members")
            .WithSummary("Add a member (owners and moderators; owners for the owner and moderator roles)")
            .Accepts<AddMemberRequest>("application/json")
            .Produces<MemberBody>(StatusCodes.Status201Created)
            .Produces<MemberBody>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room, invalid_json or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: your role is not enough, or a direct room")
            .Refuses(StatusCodes.Status409Conflict, "room_full: Rooms:MaxMembersPerRoom; too_many_rooms: the user is in Rooms:MaxRoomsPerUser rooms")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "message_too_big");
        rooms.MapDelete("/rooms/{room}/members/{userId}", RemoveAsync)
            .CheckedBeforeToken(request => RequestCheck.Room(request) ?? RouteUser.Check(request))
            .WithName("RemoveMember").WithTags("Members")
            .WithSummary("Remove a member (or leave, with your own id); their sockets leave the room on every node")
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: your role is not enough")
            .Refuses(StatusCodes.Status404NotFound, "not_found: not a member");
        rooms.MapPut("/rooms/{room}/members/{userId}/role", SetRoleAsync)
            .CheckedBeforeToken(request => RequestCheck.Room(request) ?? RouteUser.Check(request))
            .WithName("SetMemberRole").WithTags("Members")
            .WithSummary("Change a member's role (owners)")
            .Accepts<RoleRequest>("application/json")
            .Produces<MemberBody>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room, invalid_json or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: not an owner")
            .Refuses(StatusCodes.Status404NotFound, "not_found: not a member")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "message_too_big");
        return rooms;
    }

    private static async Task<Results<JsonAnswer, Refusal>> ListAsync(string room, HttpContext context, RoomActors actors, MemberStore members)
    {
        var (actor, refusal) = await actors.ResolveAsync(context, room).ConfigureAwait(false);
        if (actor is null)
        {
            return refusal!;
        }

        var (after, limit, _) = ReadPageQuery(context.Request.Query);
        var (page, hasMore) = await members.PageAsync(room, after, limit).ConfigureAwait(false);
        return RoomAnswers.Ok(new MemberPage(room, [.. page.Select(m => new MemberEntry(m.UserId, m.Name, m.Role))], hasMore));
    }

    private static async Task<Results<JsonAnswer, Refusal>> AddAsync(string room, HttpContext context, RoomActors actors, MemberStore members,
        RoomChanges changes, RoomLimits limits, IOptions<ChatOptions> options)
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

        var (userId, userRefusal) = body.Text("userId", RequestJson.MaxUserIdLength, required: true);
        var (role, roleRefusal) = body.Text("role", 16);
        if ((userRefusal ?? roleRefusal) is { } invalid)
        {
            return invalid;
        }

        role ??= MemberRoles.Member;
        if (!MemberRoles.IsValid(role))
        {
            return RequestJson.Invalid("\"role\" must be owner, moderator or member");
        }

        if (role != MemberRoles.Member && actor!.RefuseUnlessOwner() is { } notOwner)
        {
            return notOwner;
        }

        if (await members.RoleAsync(room, userId!).ConfigureAwait(false) is null
            && (await limits.RefuseAnotherMemberAsync(room).ConfigureAwait(false)
                ?? await limits.RefuseAnotherRoomAsync(userId!).ConfigureAwait(false)) is { } full)
        {
            return full;
        }

        var change = await members.AddAsync(room, userId!, role, actor!.User.UserId).ConfigureAwait(false);
        var (member, created) = change.Result;
        if (!created)
        {
            return RoomAnswers.Ok(MemberBody.Of(member));
        }

        await changes.AnnounceAsync(room, member.UserId, RoomChange.Added, member.Role, change.Seq).ConfigureAwait(false);
        return RoomAnswers.Created(MemberBody.Of(member));
    }

    private static async Task<Results<NoContent, Refusal>> RemoveAsync(string room, string userId, HttpContext context, RoomActors actors,
        MemberStore members, RoomChanges changes)
    {
        var (actor, refusal) = await actors.ResolveAsync(context, room).ConfigureAwait(false);
        if (actor is null)
        {
            return refusal!;
        }

        var leaving = userId == actor.User.UserId;
        if (leaving && actor.Room.Kind == RoomKinds.Direct)
        {
            return RoomAnswers.Forbidden("a direct room keeps its two users");
        }

        if (!leaving)
        {
            if (actor.RefuseUnlessModerator() is { } notModerator)
            {
                return notModerator;
            }

            var targetRole = await members.RoleAsync(room, userId).ConfigureAwait(false);
            if (targetRole is null)
            {
                return RoomAnswers.NotFound("not a member of this room");
            }

            if (actor.RefuseUnlessOutranks(targetRole) is { } outranked)
            {
                return outranked;
            }
        }

        var change = await members.RemoveAsync(room, userId, actor.User.UserId).ConfigureAwait(false);
        if (!change.Result)
        {
            return RoomAnswers.NotFound("not a member of this room");
        }

        await changes.AnnounceAsync(room, userId, RoomChange.Removed, null, change.Seq).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<JsonAnswer, Refusal>> SetRoleAsync(string room, string userId, HttpContext context, RoomActors actors,
        MemberStore members, RoomChanges changes, IOptions<ChatOptions> options)
    {
        var (actor, refusal) = await actors.ResolveAsync(context, room).ConfigureAwait(false);
        if ((refusal ?? actor!.RefuseUnlessOwner()) is { } refused)
        {
            return refused;
        }

        var (body, bodyRefusal) = await RequestJson.ReadAsync(context.Request, options.Value.MaxFrameBytes).ConfigureAwait(false);
        if (body is null)
        {
            return bodyRefusal!;
        }

        var (role, roleRefusal) = body.Text("role", 16, required: true);
        if (roleRefusal is not null)
        {
            return roleRefusal;
        }

        if (!MemberRoles.IsValid(role))
        {
            return RequestJson.Invalid("\"role\" must be owner, moderator or member");
        }

        var change = await members.SetRoleAsync(room, userId, role!, actor!.User.UserId).ConfigureAwait(false);
        if (change.Result is not { } member)
        {
            return RoomAnswers.NotFound("not a member of this room");
        }

        await changes.AnnounceAsync(room, userId, RoomChange.RoleChanged, member.Role, change.Seq).ConfigureAwait(false);
        return RoomAnswers.Ok(MemberBody.Of(member));
    }

    private static (string? After, int Limit, Refusal? Refusal) ReadPageQuery(IQueryCollection query)
    {
        string? after = null;
        if (query.TryGetValue("after", out var afterText))
        {
            after = afterText[0];
            if (string.IsNullOrEmpty(after) || !MessageText.IsStorable(after) || MessageText.CodePointLength(after) > RequestJson.MaxUserIdLength)
            {
                return (null, 0, RequestJson.Invalid("after must be a user id"));
            }
        }

        var (limit, refusal) = PageLimit.Read(query, DefaultPage, MaxPage);
        return refusal is not null ? (null, 0, refusal) : (after, limit, null);
    }
}

/// <summary>The <c>{userId}</c> of a route: 1–256 storable characters.</summary>
internal static class RouteUser
{
    public static Refusal? Check(HttpRequest request) =>
        request.RouteValues["userId"] is string id && id.Length > 0 && MessageText.IsStorable(id)
        && MessageText.CodePointLength(id) <= RequestJson.MaxUserIdLength
            ? null
            : RequestJson.Invalid("the user id in the path is not valid");
}

internal sealed record AddMemberRequest(string UserId, string? Role);

internal sealed record RoleRequest(string Role);
