using NUnit.Framework;
using RawChat.Core.Protocol;

namespace RawChat.Tests.Unit;

/// <summary>Message texts (docs/protocol.md §2.1): 1 to 4,000 code points, not only White_Space, no U+0000.</summary>
public sealed class MessageTextTests
{
    private const int Max = 4000;
    private static readonly string Emoji = "\U0001F600";

    [TestCase("hi")]
    [TestCase("x")]
    [TestCase(" padded ")]
    [TestCase("'; DROP TABLE messages; --")]
    [TestCase("<script>alert(1)</script>")]
    [TestCase("\u05e9\u05dc\u05d5\u05dd")]
    [TestCase("\u3000\u3000a\u3000")]
    public void Ordinary_text_is_accepted(string text)
    {
        Assert.That(MessageText.Validate(text, Max), Is.Null);
    }

    [TestCase("", TestName = "{m}(empty)")]
    [TestCase(" ", TestName = "{m}(a space)")]
    [TestCase("   ", TestName = "{m}(spaces)")]
    [TestCase("\n", TestName = "{m}(a newline)")]
    [TestCase("\r\n\t \v\f", TestName = "{m}(ASCII whitespace mix)")]
    [TestCase("\u3000", TestName = "{m}(ideographic space)")]
    [TestCase("\u00a0", TestName = "{m}(no-break space)")]
    [TestCase("\u0085", TestName = "{m}(next line)")]
    [TestCase("\u1680", TestName = "{m}(ogham space mark)")]
    [TestCase("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a", TestName = "{m}(en quad to hair space)")]
    [TestCase("\u2028\u2029", TestName = "{m}(line and paragraph separators)")]
    [TestCase("\u202f\u205f", TestName = "{m}(narrow no-break and math spaces)")]
    [TestCase(" \u3000\n\t\u3000 ", TestName = "{m}(mixed ASCII and ideographic whitespace)")]
    public void Empty_or_white_space_only_text_is_message_empty(string text)
    {
        Assert.That(MessageText.Validate(text, Max), Is.EqualTo(ErrorCodes.MessageEmpty));
    }

    [TestCase("\u200b", TestName = "{m}(zero width space)")]
    [TestCase("\ufeff", TestName = "{m}(zero width no-break space)")]
    public void Invisible_characters_outside_white_space_are_not_empty(string text)
    {
        // Unicode White_Space does not include these; the text is not "only White_Space".
        Assert.That(MessageText.Validate(text, Max), Is.Null);
    }

    [Test]
    public void Text_of_exactly_the_limit_is_accepted()
    {
        Assert.That(MessageText.Validate(new string('a', Max), Max), Is.Null);
    }

    [Test]
    public void Text_one_code_point_over_the_limit_is_message_too_long()
    {
        Assert.That(MessageText.Validate(new string('a', Max + 1), Max), Is.EqualTo(ErrorCodes.MessageTooLong));
    }

    [Test]
    public void Astral_text_of_the_limit_in_code_points_is_accepted_although_it_is_twice_as_many_utf16_units()
    {
        var text = string.Concat(Enumerable.Repeat(Emoji, Max));
        Assert.That(text, Has.Length.EqualTo(2 * Max));

        Assert.That(MessageText.Validate(text, Max), Is.Null);
    }

    [Test]
    public void Astral_text_one_code_point_over_the_limit_is_message_too_long()
    {
        Assert.That(MessageText.Validate(string.Concat(Enumerable.Repeat(Emoji, Max + 1)), Max),
            Is.EqualTo(ErrorCodes.MessageTooLong));
    }

    [Test]
    public void The_limit_is_configurable()
    {
        Assert.That(MessageText.Validate("abcde", 5), Is.Null);
        Assert.That(MessageText.Validate("abcdef", 5), Is.EqualTo(ErrorCodes.MessageTooLong));
    }

    [TestCase("a\0b", TestName = "{m}(U+0000 inside)")]
    [TestCase("\0", TestName = "{m}(U+0000 alone)")]
    [TestCase("hi\0", TestName = "{m}(U+0000 at the end)")]
    [TestCase(" \0 ", TestName = "{m}(U+0000 among whitespace)")]
    public void Text_holding_u0000_is_invalid_frame(string text)
    {
        Assert.That(MessageText.Validate(text, Max), Is.EqualTo(ErrorCodes.InvalidFrame));
    }

    // Built at run time: a lone surrogate cannot survive in an attribute argument (metadata is UTF-8).
    private static IEnumerable<TestCaseData> LoneSurrogates()
    {
        yield return new TestCaseData("a" + (char)0xD800 + "b").SetArgDisplayNames("lone high surrogate");
        yield return new TestCaseData("a" + (char)0xDC00).SetArgDisplayNames("lone low surrogate");
        yield return new TestCaseData("x" + (char)0xD83D).SetArgDisplayNames("high surrogate at the end");
        yield return new TestCaseData((char)0xDE00 + "\U0001F600").SetArgDisplayNames("low surrogate before a pair");
    }

    [TestCaseSource(nameof(LoneSurrogates))]
    public void Text_holding_a_lone_surrogate_is_refused(string text)
    {
        Assert.That(MessageText.Validate(text, Max), Is.EqualTo(ErrorCodes.InvalidFrame));
    }

    [TestCase("", 0)]
    [TestCase("abc", 3)]
    [TestCase("\U0001F600", 1)]
    [TestCase("a\U0001F600b", 3)]
    [TestCase("e\u0301", 2)]
    [TestCase("\u65e5\u672c", 2)]
    public void Code_point_length_counts_code_points(string text, int expected)
    {
        Assert.That(MessageText.CodePointLength(text), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(LoneSurrogates))]
    public void Code_point_length_of_a_lone_surrogate_is_minus_one(string text)
    {
        Assert.That(MessageText.CodePointLength(text), Is.EqualTo(-1));
    }
}
