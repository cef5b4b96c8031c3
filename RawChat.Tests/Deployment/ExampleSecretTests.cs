using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;
using RawChat.Api.Auth;
using RawChat.Core.Auth;

namespace RawChat.Tests.Deployment;

/// <summary>
/// A secret printed in RawChat's own documents is no secret: every example HS256 secret that README.md,
/// any page under docs/ (configuration.md and operations.md hold the deployment examples), docker-compose.yml
/// or scripts/ show is refused outside Development.
/// </summary>
public sealed partial class ExampleSecretTests
{
    [Test]
    public void Every_example_secret_in_the_documents_is_refused_outside_Development_and_accepted_in_it()
    {
        // The README's Docker Compose section (now in docs/operations.md) showed this one until it showed `openssl rand -hex 32`.
        var examples = ExampleSecretsInTheDocuments().Append(("README.md, earlier", "at-least-32-characters-of-real-secret")).ToList();

        foreach (var (file, secret) in examples)
        {
            var production = Validate(secret, Environments.Production);
            Assert.That(production.Failed, Is.True, $"{file}: '{secret}' starts a production node");
            Assert.That(production.FailureMessage, Does.Contain("Jwt:Secret"), file);
            if (System.Text.Encoding.UTF8.GetByteCount(secret) >= 32)
            {
                Assert.That(Validate(secret, Environments.Development).Succeeded, Is.True, $"{file}: '{secret}' in Development");
            }
        }
    }

    [Test]
    public void A_secret_of_your_own_is_accepted_in_every_environment()
    {
        foreach (var environment in new[] { Environments.Production, Environments.Staging, Environments.Development })
        {
            Assert.That(Validate(Support.TestTokens.Secret, environment).Succeeded, Is.True, environment);
        }
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(string secret, string environment) =>
        Unit.OptionsCheck.Run(new JwtOptions { Secret = secret }, JwtOptions.SectionName, new JwtOptionsValidator(),
            new JwtKeyValidator(new Environment(environment)));

    /// <summary>Literal values given to a JWT secret setting (variables and "…" placeholders are not literal).</summary>
    private static IEnumerable<(string File, string Secret)> ExampleSecretsInTheDocuments()
    {
        var root = Root();
        var files = new[] { "README.md", "docker-compose.yml" }.Select(f => Path.Combine(root, f))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "scripts"), "*", SearchOption.AllDirectories));
        foreach (var file in files)
        {
            foreach (Match match in SecretAssignment().Matches(File.ReadAllText(file)))
            {
                yield return (Path.GetRelativePath(root, file), match.Groups["secret"].Value);
            }
        }
    }

    [GeneratedRegex("""(?:JWT_SECRET|Jwt__Secret|Jwt:Secret|SIGNING_KEY)["']?\s*[=:]\s*["'](?<secret>[^"'$…\s]+)["']""",
        RegexOptions.IgnoreCase)]
    private static partial Regex SecretAssignment();

    private static string Root()
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

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "RawChat.Api";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
