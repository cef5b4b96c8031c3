using System.ComponentModel.DataAnnotations;

namespace RawChat.Api.Hosting;

/// <summary>Section <c>ConnectionStrings</c>: <c>ConnectionStrings__Postgres</c>, <c>ConnectionStrings__Redis</c>.</summary>
public sealed class ConnectionStringsOptions
{
    public const string SectionName = "ConnectionStrings";

    /// <summary>Npgsql connection string.</summary>
    [Required(ErrorMessage = "{0} is not set (env ConnectionStrings__Postgres)")]
    public string Postgres { get; set; } = "";

    /// <summary>StackExchange.Redis configuration string.</summary>
    [Required(ErrorMessage = "{0} is not set (env ConnectionStrings__Redis), e.g. 127.0.0.1:6379")]
    public string Redis { get; set; } = "";
}
