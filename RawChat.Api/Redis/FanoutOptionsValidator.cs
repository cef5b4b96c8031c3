using Microsoft.Extensions.Options;
using RawChat.Core.Fanout;

namespace RawChat.Api.Redis;

internal sealed class FanoutOptionsValidator : IValidateOptions<FanoutOptions>
{
    public ValidateOptionsResult Validate(string? name, FanoutOptions options) =>
        options.GapTimeoutMilliseconds is < 1 or > 60_000
            ? ValidateOptionsResult.Fail("Fanout:GapTimeoutMilliseconds must be between 1 and 60000")
            : string.IsNullOrEmpty(options.ChannelPrefix)
                ? ValidateOptionsResult.Fail("Fanout:ChannelPrefix must not be empty")
            // A hash tag in the prefix would hash every room to one slot, so one shard would carry them all.
            : options.ShardedPubSub && HasHashTag(options.ChannelPrefix)
                ? ValidateOptionsResult.Fail("Fanout:ChannelPrefix must not hold a Redis hash tag ({...}) when Fanout:ShardedPubSub is on")
            : ValidateOptionsResult.Success;

    private static bool HasHashTag(string prefix)
    {
        var open = prefix.IndexOf('{', StringComparison.Ordinal);
        return open >= 0 && prefix.IndexOf('}', open + 1) > open + 1;
    }
}
