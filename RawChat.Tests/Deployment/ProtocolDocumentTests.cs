using System.Reflection;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RawChat.Core.Protocol;

namespace RawChat.Tests.Deployment;

/// <summary>
/// docs/protocol.md is the wire contract: it names every error code and close reason the code has,
/// every section without subsections ends with "Proved by:", and every test it names there exists.
/// </summary>
public sealed partial class ProtocolDocumentTests
{
    private static readonly string Document = File.ReadAllText(Path.Combine(FindRepositoryRoot(), "docs", "protocol.md"));

    [Test]
    public void Every_error_code_of_the_code_is_in_the_document()
    {
        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.That(codes, Is.Not.Empty);
        Assert.That(codes.Where(code => !Document.Contains($"`{code}`", StringComparison.Ordinal)), Is.Empty,
            "error codes missing from docs/protocol.md");
    }

    [Test]
    public void Every_close_reason_of_the_code_is_in_the_close_code_table_with_its_number()
    {
        var reasons = typeof(CloseReason).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(CloseReason)).Select(f => (CloseReason)f.GetValue(null)!).ToList();
        var rows = Document.Split('\n').Where(line => line.StartsWith("| 1", StringComparison.Ordinal)).ToList();

        Assert.That(reasons, Is.Not.Empty);
        Assert.That(reasons.Where(r => !rows.Any(row => row.StartsWith($"| {(int)r.Status} |", StringComparison.Ordinal)
                && (r.Text.Length == 0 || row.Contains($"`{r.Text}`", StringComparison.Ordinal))))
            .Select(r => $"{(int)r.Status} {r.Text}"), Is.Empty, "close codes missing from docs/protocol.md §2.3");
    }

    [Test]
    public void Every_section_without_subsections_ends_with_the_tests_that_prove_it()
    {
        var headings = Heading().Matches(Document).ToList();
        var unproved = headings.Where((h, i) =>
        {
            var next = i + 1 < headings.Count ? headings[i + 1] : null;
            if (next is not null && next.Groups["level"].Length > h.Groups["level"].Length)
            {
                return false; // its subsections carry the proof
            }

            var end = next?.Index ?? Document.Length;
            return !Document[h.Index..end].Contains("\nProved by:", StringComparison.Ordinal);
        }).Select(h => h.Value.Trim());

        Assert.That(headings, Has.Count.GreaterThan(20));
        Assert.That(unproved, Is.Empty, "sections without a \"Proved by:\" paragraph");
    }

    [Test]
    public void Every_test_named_under_proved_by_exists()
    {
        var types = typeof(ProtocolDocumentTests).Assembly.GetTypes().ToLookup(t => t.Name);
        var named = ProvedBy().Matches(Document)
            .SelectMany(m => TestName().Matches(m.Value)).Select(m => m.Groups[1].Value).Distinct().ToList();
        var missing = named.Where(name =>
        {
            var parts = name.Split('.');
            var type = types[parts[0]].FirstOrDefault();
            return type is null || (parts.Length == 2 && type.GetMethod(parts[1]) is null);
        });

        Assert.That(named, Has.Count.GreaterThan(50));
        Assert.That(missing, Is.Empty, "tests named in docs/protocol.md that do not exist");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RawChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RawChat.sln not found above the test assembly");
    }

    [GeneratedRegex(@"^(?<level>#{2,3}) \d+(\.\d+)?\.? .*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    /// <summary>A "Proved by:" paragraph: from the line that starts it to the next blank line.</summary>
    [GeneratedRegex(@"^Proved by:.*?(?=\n\s*\n|\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ProvedBy();

    /// <summary>A test named in backticks: <c>ClassTests</c> or <c>ClassTests.Method_name</c>.</summary>
    [GeneratedRegex(@"`([A-Z][A-Za-z0-9]*Tests(?:\.[A-Za-z0-9_]+)?)`")]
    private static partial Regex TestName();
}
