using Microsoft.Extensions.Options;
using NUnit.Framework;
using RawChat.Api.Redis;
using RawChat.Core.Fanout;

namespace RawChat.Tests.Unit;

/// <summary>The start-up checks of the <c>Fanout</c> settings.</summary>
public sealed class FanoutOptionsTests
{
    [Test]
    public void Defaults_are_valid_with_and_without_sharded_pub_sub()
    {
        Assert.That(Validate(new FanoutOptions()).Succeeded, Is.True);
        Assert.That(Validate(new FanoutOptions { ShardedPubSub = true }).Succeeded, Is.True);
    }

    [Test]
    public void A_hash_tag_in_the_channel_prefix_is_refused_with_sharded_pub_sub_because_every_room_would_share_one_shard()
    {
        var result = Validate(new FanoutOptions { ShardedPubSub = true, ChannelPrefix = "{rawchat}:room:" });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Fanout:ShardedPubSub"));
        Assert.That(Validate(new FanoutOptions { ChannelPrefix = "{rawchat}:room:" }).Succeeded, Is.True, "harmless on classic pub/sub");
        Assert.That(Validate(new FanoutOptions { ShardedPubSub = true, ChannelPrefix = "rawchat:{}:" }).Succeeded, Is.True,
            "an empty {} is no hash tag");
    }

    private static ValidateOptionsResult Validate(FanoutOptions options) =>
        OptionsCheck.Run(options, FanoutOptions.SectionName, new FanoutOptionsValidator());
}
