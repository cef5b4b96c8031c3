using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>
/// JSON text for the fuzz, as strings (so that hostile escapes, numbers and keys reach the wire
/// exactly as written): values of every kind, the protocol's keys with right and wrong values.
/// </summary>
internal static class JsonGen
{
    public static readonly string[] KnownKeys = ["type", "room", "message", "clientMsgId", "since", "before", "limit", "subscribe"];

    /// <summary>Rooms the sessions share (never a session's own room, which they must not leave).</summary>
    public static readonly string[] PoolRooms = ["fuzz-pool-a", "fuzz-pool-b", "fuzz.pool:c"];

    public static readonly string[] Types = ["send", "join", "leave", "history", "ping", "presence", "typing"];

    /// <summary>Room names that break <c>^[A-Za-z0-9_.:-]{1,64}$</c>, as JSON strings.</summary>
    public static readonly string[] InvalidRooms =
        ["\"\"", "\"a b\"", "\"x/y\"", $"\"{new string('r', 65)}\"", "\"caf\u00e9\"", "\"lobby!\"", "\"room\\n\"", "\"\\t\"", "\"\u65e5\u672c\""];

    /// <summary>White_Space only, as JSON string contents: <c>message_empty</c>.</summary>
    public static readonly string[] Blanks =
        ["", " ", "   ", "\\t", "\\n\\r", "\\u000b\\u000c", "\\u0085", "\u00a0", "\u1680", "\u2003\u2009", "\\u200a", "\u2028\u2029", "\u202f", "\u205f", "\u3000", " \\n \u3000 "];

    public static readonly Gen<string> Numbers = Gen.OneOf(
        Gen.Elements("0", "-0", "1", "-1", "12", "50", "200", "201", "1e400", "-1e400", "1E-400", "1.5", "2.0", "1e2", "-0.0",
            "99999999999999999999", "-99999999999999999999", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890e-10", "4.9e-324", "1.7976931348623157e308"),
        Gen.Choose(int.MinValue, int.MaxValue).Select(i => i.ToString(CultureInfo.InvariantCulture)),
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        select (((long)hi << 32) | (uint)lo).ToString(CultureInfo.InvariantCulture),
        from mantissa in Gen.Choose(-1_000_000, 1_000_000)
        from exponent in Gen.Choose(-30, 30)
        select (mantissa / 997.0 * Math.Pow(10, exponent)).ToString("R", CultureInfo.InvariantCulture));

    /// <summary>String contents that are acceptable text: words, every JSON escape, non-ASCII, a valid surrogate pair.</summary>
    private static readonly Gen<string> SafePiece = Gen.Elements(
        "hi", "hello world", "a", "Z", "\u00e9", "\u65e5\u672c\u8a9e", "\U0001F642", "\U0001F469\u200D\U0001F469\u200D\U0001F467",
        "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\ud83d\\ude00", "\u2028", "\u00a0", "x y", "<script>",
        "'; DROP TABLE messages; --", "%s%n", "\\b\\f\\r", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u200f");

    /// <summary>Escapes that are valid JSON but not acceptable text: U+0000, lone surrogates, other controls.</summary>
    private static readonly Gen<string> HostilePiece = Gen.Elements(
        "\\u0000", "\\ud800", "\\udc00", "\\udbff\\u0041", "\\u001f", "\\uffff", "\\ufffe", "\\ud83d");

    /// <summary>Text a post may carry: starts with a word, so never blank; no U+0000, no lone surrogate.</summary>
    public static readonly Gen<string> Text =
        from first in Gen.Elements("hi", "hello", "\u65e5\u672c", "\U0001F642", "x", "0")
        from rest in Gen.Choose(0, 5).SelectMany(n => Gen.ListOf(SafePiece, n))
        select first + string.Concat(rest);

    public static readonly Gen<string> AnyString =
        from n in Gen.Choose(0, 6)
        from pieces in Gen.ListOf(Gen.Frequency((6, SafePiece), (1, HostilePiece)), n)
        select Quote(string.Concat(pieces));

    /// <summary>Text with an escape that no post may hold (U+0000 or an unpaired surrogate).</summary>
    public static readonly Gen<string> HostileText =
        from before in Text
        from hostile in HostilePiece.Where(p => p is "\\u0000" or "\\ud800" or "\\udc00" or "\\udbff\\u0041" or "\\ud83d")
        from after in Gen.Elements("", "b", " tail")
        select before + hostile + after;

    public static readonly Gen<string> Tag =
        from high in Gen.Choose(0, int.MaxValue)
        from low in Gen.Choose(0, int.MaxValue)
        select $"t-{high:x8}{low:x8}";

    public static readonly Gen<string> Space = Gen.Elements("", "", "", " ", "\n", "\t", "\r\n  ");

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (3, Numbers), (4, AnyString), (1, Gen.Elements("null", "true", "false")));

    public static readonly Gen<string> Key = Gen.Frequency(
        (6, Gen.Elements(KnownKeys).Select(Quote)),
        (1, Gen.Elements("\"extra\"", "\"\"", "\"Type\"", "\"type \"", "\"\\u0074ype\"", "\"messages\"", "\"__proto__\"")),
        (1, AnyString));

    private static readonly Gen<string>[] ValuesByDepth = BuildValues(4);

    /// <summary>Any JSON value, nested up to four levels.</summary>
    public static Gen<string> Value => ValuesByDepth[^1];

    public static Gen<string> ShallowValue => ValuesByDepth[1];

    /// <summary>A value of the type the protocol wants for <paramref name="key"/> (not always in range).</summary>
    public static Gen<string> RightValue(string key) => key switch
    {
        "type" => Gen.Elements(Types).Select(Quote),
        "room" => Gen.Frequency((4, Gen.Elements(PoolRooms).Select(Quote)), (1, Gen.Elements(InvalidRooms))),
        "message" => Gen.Frequency((5, Text.Select(Quote)), (1, Gen.Elements(Blanks).Select(Quote)), (1, HostileText.Select(Quote))),
        "clientMsgId" => Gen.Elements("\"c-1\"", "\"c-2\"", "\"\"", $"\"{new string('i', 64)}\"", $"\"{new string('i', 65)}\"", "\"\U0001F642\""),
        "subscribe" => Gen.Elements("true", "false"),
        _ => Gen.Choose(-2, 210).Select(i => i.ToString(CultureInfo.InvariantCulture)),
    };

    /// <summary>A value that makes any frame holding it <c>invalid_frame</c>: wrong type or out of range.</summary>
    public static Gen<string> WrongValue(string key) => key switch
    {
        "type" or "room" or "message" => Gen.Elements("5", "-0", "1e400", "true", "false", "null", "[]", "{}", "[\"send\"]", "{\"type\":\"send\"}"),
        "since" => Gen.Elements("\"1\"", "1.5", "2.0", "1e2", "1e400", "99999999999999999999", "-1", "-9223372036854775808", "true", "null", "[]", "\"\""),
        "before" => Gen.Elements("0", "-1", "-0", "\"5\"", "2.5", "1e400", "9223372036854775808", "null", "{}"),
        "limit" => Gen.Elements("0", "-0", "201", "-5", "1e2", "2.0", "\"50\"", "99999999999999999999", "null", "false"),
        _ => Gen.Elements("1", "0", "\"true\"", "null", "[]", "{}"), // subscribe
    };

    public static string Quote(string contents) => $"\"{contents}\"";

    /// <summary>An object of the given fields in the given order, with random white space around the tokens.</summary>
    public static Gen<string> Object(IReadOnlyList<(string Key, string Value)> fields) =>
        from spaces in Gen.ArrayOf(Space, fields.Count * 2 + 1)
        select "{" + string.Join(",", fields.Select((f, i) => $"{spaces[2 * i]}{f.Key}:{spaces[2 * i + 1]}{f.Value}")) + spaces[^1] + "}";

    /// <summary>An object of the given fields in a random order.</summary>
    public static Gen<string> ShuffledObject(params (string Key, string Value)[] fields) =>
        Gen.Shuffle(fields).SelectMany(shuffled => Object(shuffled));

    private static Gen<string>[] BuildValues(int depth)
    {
        var values = new Gen<string>[depth + 1];
        values[0] = Scalar;
        for (var d = 1; d <= depth; d++)
        {
            var inner = values[d - 1];
            var array = Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(inner, n)).Select(items => "[" + string.Join(",", items) + "]");
            var field = from key in Key from value in inner select (key, value);
            var obj = Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(field, n)).SelectMany(fields => Object(fields));
            values[d] = Gen.Frequency((5, Scalar), (1, array), (1, obj));
        }

        return values;
    }
}
