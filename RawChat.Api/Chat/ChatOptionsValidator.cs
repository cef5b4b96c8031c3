using Microsoft.Extensions.Options;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;

namespace RawChat.Api.Chat;

internal sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions o)
    {
        var problems = new List<string>();
        if (!RoomName.IsValid(o.DefaultRoom))
        {
            problems.Add("Chat:DefaultRoom must be a valid room name");
        }

        Check(o.MaxMessageLength >= 1, "Chat:MaxMessageLength must be at least 1");
        Check(o.MaxFrameBytes >= 1024, "Chat:MaxFrameBytes must be at least 1024");
        Check(o.HistoryOnJoin is >= 0 and <= 200, "Chat:HistoryOnJoin must be between 0 and 200");
        Check(o.ReplayCap >= 1, "Chat:ReplayCap must be at least 1");
        Check(o.MaxRoomsPerConnection >= 1, "Chat:MaxRoomsPerConnection must be at least 1");
        Check(o.MaxQueuedBytes >= 64 * 1024, "Chat:MaxQueuedBytes must be at least 65536");
        Check(o.MaxPageBytes >= 16 * 1024 && o.MaxPageBytes <= o.MaxQueuedBytes,
            "Chat:MaxPageBytes must be at least 16384 and at most Chat:MaxQueuedBytes");
        Check(o.FramesPerSecond > 0, "Chat:FramesPerSecond must be positive");
        Check(o.FrameBurst >= 1, "Chat:FrameBurst must be at least 1");
        Check(o.PostsPerSecond > 0, "Chat:PostsPerSecond must be positive");
        Check(o.PostBurst >= 1, "Chat:PostBurst must be at least 1");
        Check(o.RateLimitStrikes >= 1, "Chat:RateLimitStrikes must be at least 1");
        Check(o.TypingPerSecond > 0, "Chat:TypingPerSecond must be positive");
        Check(o.TypingBurst >= 1, "Chat:TypingBurst must be at least 1");
        Check(o.MaxConnectionsPerNode >= 1, "Chat:MaxConnectionsPerNode must be at least 1");
        Check(o.MaxConnectionsPerUser >= 1, "Chat:MaxConnectionsPerUser must be at least 1");
        Check(o.KeepAliveSeconds >= 0, "Chat:KeepAliveSeconds must not be negative");
        Check(o.CloseTimeoutSeconds >= 1, "Chat:CloseTimeoutSeconds must be at least 1");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);

        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
    }
}
