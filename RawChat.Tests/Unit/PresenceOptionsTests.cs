using Microsoft.Extensions.Options;
using NUnit.Framework;
using RawChat.Api.Presence;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;

namespace RawChat.Tests.Unit;

/// <summary>The start-up checks of the <c>Presence</c> settings.</summary>
public sealed class PresenceOptionsTests
{
    [Test]
    public void Defaults_are_valid()
    {
        Assert.That(Validate(new PresenceOptions()).Succeeded, Is.True);
    }

    [TestCase(0, 30, "HeartbeatSeconds")]
    [TestCase(10, 19, "TtlSeconds")]
    [TestCase(1, 3601, "TtlSeconds")]
    public void Expiry_must_outlast_two_heartbeats(int heartbeat, int ttl, string named)
    {
        var result = Validate(new PresenceOptions { HeartbeatSeconds = heartbeat, TtlSeconds = ttl });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain(named));
    }

    [TestCase("rawchat:room:presence:")]
    [TestCase("rawchat:")]
    [TestCase("rawchat:room:")]
    public void Presence_events_may_not_share_the_room_channels(string prefix)
    {
        var result = Validate(new PresenceOptions { EventChannelPrefix = prefix });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Fanout:ChannelPrefix"));
    }

    private static ValidateOptionsResult Validate(PresenceOptions options) =>
        OptionsCheck.Run(options, PresenceOptions.SectionName, new PresenceOptionsValidator(),
            new PresenceChannelsValidator(Options.Create(new FanoutOptions())));
}
