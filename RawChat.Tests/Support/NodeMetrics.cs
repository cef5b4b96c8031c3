using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace RawChat.Tests.Support;

/// <summary>A node's <c>/metrics</c> in the Prometheus text format, read as <c>name{labels}</c> → value.</summary>
public static partial class NodeMetrics
{
    public static async Task<Dictionary<string, double>> ScrapeAsync(this ChatNode node)
    {
        using var http = node.Http();
        return Parse(await http.GetStringAsync("/metrics"));
    }

    /// <summary>Prometheus text format: <c>name{labels} value</c> per sample line; comments skipped.</summary>
    public static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.That(match.Success, Is.True, $"not a sample line: {line}");
            samples[match.Groups["series"].Value] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return samples;
    }

    [GeneratedRegex("""^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (?<value>\S+)$""")]
    private static partial Regex SampleLine();
}
