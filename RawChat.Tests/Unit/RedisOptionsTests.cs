using Microsoft.Extensions.Options;
using NUnit.Framework;
using RawChat.Api.Hosting;
using RawChat.Api.Redis;
using RawChat.Tests.Infrastructure;

namespace RawChat.Tests.Unit;

/// <summary>The start-up checks of <c>ConnectionStrings:Redis</c> and the <c>Redis</c> settings.</summary>
public sealed class RedisOptionsTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("rawchat-test-redis-options-");

    [TearDown]
    public void RemoveFolder() => _dir.Delete(recursive: true);

    [Test]
    public void No_trusted_CA_file_is_valid_with_and_without_TLS()
    {
        Assert.That(Validate(new RedisOptions(), "127.0.0.1:6379").Succeeded, Is.True);
        Assert.That(Validate(new RedisOptions(), "redis.example.com:6380,ssl=true").Succeeded, Is.True);
    }

    [Test]
    public void A_trusted_CA_file_with_TLS_on_is_valid()
    {
        var ca = TestCertificates.Create(_dir.FullName).CaFile;

        Assert.That(Validate(new RedisOptions { TrustedCaFile = ca }, "127.0.0.1:6380,ssl=true,sslHost=localhost").Succeeded, Is.True);
    }

    [Test]
    public void A_trusted_CA_file_without_TLS_is_refused_because_it_would_do_nothing()
    {
        var ca = TestCertificates.Create(_dir.FullName).CaFile;

        var result = Validate(new RedisOptions { TrustedCaFile = ca }, "127.0.0.1:6379");

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Redis:TrustedCaFile").And.Contain("ssl=true"));
    }

    [Test]
    public void A_missing_trusted_CA_file_or_one_without_a_certificate_is_refused()
    {
        var notPem = Path.Combine(_dir.FullName, "not.pem");
        File.WriteAllText(notPem, "no certificate here");

        foreach (var path in new[] { Path.Combine(_dir.FullName, "missing.pem"), notPem })
        {
            var result = Validate(new RedisOptions { TrustedCaFile = path }, "127.0.0.1:6380,ssl=true");
            Assert.That(result.Failed, Is.True, path);
            Assert.That(result.FailureMessage, Does.Contain("Redis:TrustedCaFile"), path);
        }
    }

    [Test]
    public void A_Redis_connection_string_StackExchange_Redis_cannot_read_is_refused_without_showing_its_password()
    {
        foreach (var redis in new[] { "127.0.0.1:6379,password=hunter2-secret,sslHots=typo", "password=hunter2-secret" })
        {
            var result = new ConnectionStringsValidator().Validate(null,
                new ConnectionStringsOptions { Postgres = "Host=127.0.0.1;Database=rawchat", Redis = redis });

            Assert.That(result.Failed, Is.True, redis);
            Assert.That(result.FailureMessage, Does.Contain("ConnectionStrings:Redis").And.Not.Contain("hunter2"), redis);
        }
    }

    private static ValidateOptionsResult Validate(RedisOptions options, string redis) =>
        new RedisOptionsValidator(Options.Create(new ConnectionStringsOptions { Redis = redis })).Validate(null, options);
}
