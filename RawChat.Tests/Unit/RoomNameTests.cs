using NUnit.Framework;
using RawChat.Core.Protocol;

namespace RawChat.Tests.Unit;

/// <summary>Room names match <c>^[A-Za-z0-9_.:-]{1,64}$</c> (docs/protocol.md §1).</summary>
public sealed class RoomNameTests
{
    [TestCase("a")]
    [TestCase("lobby")]
    [TestCase("Lobby")]
    [TestCase("0")]
    [TestCase("team-42_general.v2:eu")]
    [TestCase("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")]
    [TestCase("_.:-")]
    public void Names_of_the_allowed_characters_are_valid(string name)
    {
        Assert.That(RoomName.IsValid(name), Is.True);
    }

    [Test]
    public void A_name_of_64_characters_is_valid()
    {
        Assert.That(RoomName.IsValid(new string('r', 64)), Is.True);
    }

    [Test]
    public void A_name_of_65_characters_is_invalid()
    {
        Assert.That(RoomName.IsValid(new string('r', 65)), Is.False);
    }

    [TestCase(null, TestName = "{m}(null)")]
    [TestCase("", TestName = "{m}(empty)")]
    [TestCase(" ", TestName = "{m}(a space)")]
    [TestCase("a b", TestName = "{m}(a space inside)")]
    [TestCase("lobby ", TestName = "{m}(a trailing space)")]
    [TestCase("lobby\n", TestName = "{m}(a trailing newline)")]
    [TestCase("a/b", TestName = "{m}(a slash)")]
    [TestCase("a*", TestName = "{m}(a star)")]
    [TestCase("a?b", TestName = "{m}(a question mark)")]
    [TestCase("a#b", TestName = "{m}(a hash)")]
    [TestCase("a%20b", TestName = "{m}(a percent sign)")]
    [TestCase("caf\u00e9", TestName = "{m}(a non-ASCII letter)")]
    [TestCase("\uff21\uff22", TestName = "{m}(fullwidth letters)")]
    [TestCase("\u0661\u0662", TestName = "{m}(Arabic-Indic digits)")]
    [TestCase("a\0", TestName = "{m}(U+0000)")]
    [TestCase("\U0001F600", TestName = "{m}(an emoji)")]
    public void Names_with_anything_else_are_invalid(string? name)
    {
        Assert.That(RoomName.IsValid(name), Is.False);
    }
}
