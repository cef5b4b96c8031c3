using System.Text.RegularExpressions;
using RawChat.Tests.Support;

namespace RawChat.Tests.Clients;

/// <summary>
/// docs/clients.md as the tests read it: the code blocks marked <c>&lt;!-- file: PATH --&gt;</c>, which
/// must show PATH unchanged, and those marked <c>&lt;!-- wscat session --&gt;</c>, which WscatTests runs.
/// </summary>
public static partial class ClientsPage
{
    public static string Path => System.IO.Path.Combine(NodeTools.RepositoryRoot, "docs", "clients.md");

    /// <summary>Each file the page shows, with the text of its code block.</summary>
    public static IReadOnlyList<(string File, string Shown)> ShownFiles() =>
        FileBlock().Matches(Text()).Select(m => (m.Groups["file"].Value, m.Groups["code"].Value)).ToList();

    /// <summary>Each wscat session: the shell lines, then the transcript lines ("&gt; typed", "&lt; received").</summary>
    public static IReadOnlyList<WscatSession> WscatSessions() =>
        SessionBlock().Matches(Text()).Select(m =>
        {
            var lines = m.Groups["code"].Value.Split('\n');
            bool IsTranscript(string line) => line.StartsWith("> ", StringComparison.Ordinal) || line.StartsWith("< ", StringComparison.Ordinal);
            return new WscatSession(
                lines.TakeWhile(l => !IsTranscript(l)).ToList(),
                lines.SkipWhile(l => !IsTranscript(l)).ToList());
        }).ToList();

    private static string Text() => File.ReadAllText(Path).ReplaceLineEndings("\n");

    [GeneratedRegex(@"<!-- file: (?<file>\S+) -->\n```\w*\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex FileBlock();

    [GeneratedRegex(@"<!-- wscat session -->\n```\w*\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex SessionBlock();
}

/// <param name="Commands">What is typed at the shell, the last line being the wscat command.</param>
/// <param name="Transcript">Lines starting "&gt; " (typed into wscat) and "&lt; " (a frame wscat prints).</param>
public sealed record WscatSession(IReadOnlyList<string> Commands, IReadOnlyList<string> Transcript);
