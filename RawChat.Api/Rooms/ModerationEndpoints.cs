using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using RawChat.Api.Http;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;

namespace RawChat.Api.Rooms;

/// <summary>Bans, mutes and the audit (docs/protocol.md §14.5): each change is one transaction with its audit row, then announced.</summary>
internal static class ModerationEndpoints
{
    private const int MaxReasonLength = 256;
    private const int DefaultAuditPage = 50;
    private const int MaxAuditPage = 200;

    public static RouteGroupBuilder MapModerationEndpoints(this RouteGroupBuilder rooms)
    {
        rooms.MapPost("/rooms/{room}/bans", BanAsync)
            .CheckedBeforeToken(RequestCheck.Room)
            .WithName("BanUser").WithTags("Moderation")
            .WithSummary("Ban a user from the room; their sockets leave it on every node within a second")
            .Accepts<BanRequest>("application/json")
            .Produces<BanBody>(StatusCodes.Status201Created)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room, invalid_json or invalid_parameter (reason, expiresAt, yourself)")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: your role is not enough")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "message_too_big");
        rooms.MapDelete("/rooms/{room}/bans/{userId}", UnbanAsync)
            .CheckedBeforeToken(request => RequestCheck.Room(request) ?? RouteUser.Check(request))
            .WithName("UnbanUser").WithTags("Moderation")
            .WithSummary("Lift a ban")
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: your role is not enough")
            .Refuses(StatusCodes.Status404NotFound, "not_found: not banned");
        rooms.MapPost("/rooms/{room}/mutes", MuteAsync)
            .CheckedBeforeToken(RequestCheck.Room)
            .WithName("MuteUser").WithTags("Moderation")
            .WithSummary("Mute a user: they read the room, their posts are refused forbidden")
            .Accepts<MuteRequest>("application/json")
            .Produces<MuteBody>(StatusCodes.Status201Created)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room, invalid_json or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: your role is not enough")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "message_too_big");
        rooms.MapDelete("/rooms/{room}/mutes/{userId}", UnmuteAsync)
            .CheckedBeforeToken(request => RequestCheck.Room(request) ?? RouteUser.Check(request))
            .WithName("UnmuteUser").WithTags("Moderation")
            .WithSummary("Lift a mute")
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: your role is not enough")
            .Refuses(StatusCodes.Status404NotFound, "not_found: not muted");
        rooms.MapGet("/rooms/{room}/audit", AuditAsync)
            .CheckedBeforeToken(request => RequestCheck.Room(request) ?? ReadAuditQuery(request.Query).Refusal)
            .WithName("ReadAudit").WithTags("Moderation")
            .WithSummary("The room's moderation actions, newest first (owners)")
            .Documents(ParameterLocation.Query, "before", JsonSchemaType.Integer, "An entry id, exclusive: the page older than it.")
            .Documents(ParameterLocation.Query, "limit", JsonSchemaType.Integer, "1–200; default 50.")
            .Produces<AuditPage>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room or invalid_parameter")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room, or forbidden: not an owner");
        return rooms;
    }

    private static Task<Results<JsonAnswer, Refusal>> BanAsync(string room, HttpContext context, RoomActors actors, MemberStore members,
        ModerationStore moderation, RoomChanges changes, IOptions<ChatOptions> options, TimeProvider time) =>
        SanctionAsync(room, context, actors, members, changes, options, time, reasonRequired: true, RoomChange.Banned,
            (userId, reason, expiresAt, actor) => moderation.BanAsync(room, userId, reason!, expiresAt, actor), BanBody.Of);

    private static Task<Results<JsonAnswer, Refusal>> MuteAsync(string room, HttpContext context, RoomActors actors, MemberStore members,
        ModerationStore moderation, RoomChanges changes, IOptions<ChatOptions> options, TimeProvider time) =>
        SanctionAsync(room, context, actors, members, changes, options, time, reasonRequired: false, RoomChange.Muted,
            (userId, reason, expiresAt, actor) => moderation.MuteAsync(room, userId, reason, expiresAt, actor), MuteBody.Of);

    private static Task<Results<NoContent, Refusal>> UnbanAsync(string room, string userId, HttpContext context, RoomActors actors,
        ModerationStore moderation, RoomChanges changes) =>
        LiftAsync(room, userId, context, actors, changes, RoomChange.Unbanned, "not banned", actor => moderation.UnbanAsync(room, userId, actor));

    private static Task<Results<NoContent, Refusal>> UnmuteAsync(string room, string userId, HttpContext context, RoomActors actors,
        ModerationStore moderation, RoomChanges changes) =>
        LiftAsync(room, userId, context, actors, changes, RoomChange.Unmuted, "not muted", actor => moderation.UnmuteAsync(room, userId, actor));

    private static async Task<Results<JsonAnswer, Refusal>> SanctionAsync<TBody>(string room, HttpContext context, RoomActors actors,
        MemberStore members, RoomChanges changes, IOptions<ChatOptions> options, TimeProvider time, bool reasonRequired, string announced,
        Func<string, string?, DateTime?, string, Task<MemberChange<Sanction>>> apply, Func<Sanction, TBody> answer)
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
        var (reason, reasonRefusal) = body.Text("reason", MaxReasonLength, required: reasonRequired, nullable: !reasonRequired);
        var (expiresAt, expiryRefusal) = body.FutureTime("expiresAt", time.GetUtcNow().UtcDateTime);
        if ((userRefusal ?? reasonRefusal ?? expiryRefusal) is { } invalid)
        {
            return invalid;
        }

        if (userId == actor!.User.UserId)
        {
            return RequestJson.Invalid("you cannot do this to yourself");
        }

        if (actor.RefuseUnlessOutranks(await members.RoleAsync(room, userId!).ConfigureAwait(false)) is { } outranked)
        {
            return outranked;
        }

        var change = await apply(userId!, reason, expiresAt, actor.User.UserId).ConfigureAwait(false);
        await changes.AnnounceAsync(room, userId, announced, null, change.Seq).ConfigureAwait(false);
        return RoomAnswers.Created(answer(change.Result));
    }

    private static async Task<Results<NoContent, Refusal>> LiftAsync(string room, string userId, HttpContext context, RoomActors actors,
        RoomChanges changes, string announced, string notFound, Func<string, Task<MemberChange<bool>>> lift)
    {
        var (actor, refusal) = await actors.ResolveAsync(context, room).ConfigureAwait(false);
        if ((refusal ?? actor!.RefuseUnlessModerator()) is { } refused)
        {
            return refused;
        }

        var change = await lift(actor!.User.UserId).ConfigureAwait(false);
        if (!change.Result)
        {
            return RoomAnswers.NotFound(notFound);
        }

        await changes.AnnounceAsync(room, userId, announced, null, change.Seq).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<JsonAnswer, Refusal>> AuditAsync(string room, HttpContext context, RoomActors actors,
        ModerationStore moderation)
    {
        var (actor, refusal) = await actors.ResolveAsync(context, room).ConfigureAwait(false);
        if ((refusal ?? actor!.RefuseUnlessOwner()) is { } refused)
        {
            return refused;
        }

        var (before, limit, _) = ReadAuditQuery(context.Request.Query);
        var (entries, hasMore) = await moderation.AuditAsync(room, before, limit).ConfigureAwait(false);
        return RoomAnswers.Ok(new AuditPage(room, [.. entries.Select(e => new AuditBody(e.Id, RoomBody.Time(e.At)!, e.Actor, e.Action,
            e.Target, e.Reason, e.Details is null ? null : JsonDocument.Parse(e.Details).RootElement.Clone()))], hasMore));
    }

    private static (long? Before, int Limit, Refusal? Refusal) ReadAuditQuery(IQueryCollection query)
    {
        long? before = null;
        if (query.TryGetValue("before", out var beforeText))
        {
            if (!DecimalParameter.TryParse(beforeText[0], 1, out var value))
            {
                return (null, 0, RequestJson.Invalid("before must be a decimal integer >= 1"));
            }

            before = value;
        }

        var (limit, refusal) = PageLimit.Read(query, DefaultAuditPage, MaxAuditPage);
        return refusal is not null ? (null, 0, refusal) : (before, limit, null);
    }
}

internal sealed record BanRequest(string UserId, string Reason, string? ExpiresAt);

internal sealed record MuteRequest(string UserId, string? Reason, string? ExpiresAt);
