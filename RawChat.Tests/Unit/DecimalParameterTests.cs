using NUnit.Framework;
using RawChat.Core.Protocol;

namespace RawChat.Tests.Unit;

/// <summary><c>since</c> and <c>before</c>: decimal digits only, within a signed 64-bit integer (docs/protocol.md §6).</summary>
public sealed class DecimalParameterTests
{
    [TestCase("0", 0L)]
    [TestCase("7", 7L)]
    [TestCase("120", 120L)]
    [TestCase("007", 7L)]
    [TestCase("9223372036854775807", long.MaxValue)]
    public void Decimal_digits_within_int64_parse(string text, long expected)
    {
        Assert.That(DecimalParameter.TryParse(text, 0, out var value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
    }

    [Test]
    public void Leading_zeros_do_not_count_against_the_int64_range()
    {
        // 20 decimal digits whose value, 1, is well within a signed 64-bit integer.
        Assert.That(DecimalParameter.TryParse("00000000000000000001", 0, out var value), Is.True);
        Assert.That(value, Is.EqualTo(1));
    }

    [TestCase(null, TestName = "{m}(null)")]
    [TestCase("", TestName = "{m}(empty)")]
    [TestCase(" ", TestName = "{m}(a space)")]
    [TestCase(" 1", TestName = "{m}(a leading space)")]
    [TestCase("1 ", TestName = "{m}(a trailing space)")]
    [TestCase("-1", TestName = "{m}(a minus sign)")]
    [TestCase("+1", TestName = "{m}(a plus sign)")]
    [TestCase("1.0", TestName = "{m}(a decimal point)")]
    [TestCase("1e3", TestName = "{m}(an exponent)")]
    [TestCase("0x10", TestName = "{m}(hexadecimal)")]
    [TestCase("1_000", TestName = "{m}(a digit separator)")]
    [TestCase("1,000", TestName = "{m}(a thousands separator)")]
    [TestCase("\u0661\u0662", TestName = "{m}(Arabic-Indic digits)")]
    [TestCase("\uff11", TestName = "{m}(a fullwidth digit)")]
    [TestCase("9223372036854775808", TestName = "{m}(long.MaxValue plus one)")]
    [TestCase("99999999999999999999", TestName = "{m}(20 nines)")]
    public void Anything_but_decimal_digits_within_int64_is_refused(string? text)
    {
        Assert.That(DecimalParameter.TryParse(text, 0, out _), Is.False);
    }

    [Test]
    public void A_value_below_the_minimum_is_refused()
    {
        Assert.That(DecimalParameter.TryParse("0", 1, out _), Is.False);
    }

    [Test]
    public void A_value_at_the_minimum_is_accepted()
    {
        Assert.That(DecimalParameter.TryParse("1", 1, out var value), Is.True);
        Assert.That(value, Is.EqualTo(1));
    }
}
