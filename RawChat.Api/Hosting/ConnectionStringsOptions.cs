namespace RawChat.Api.Hosting;

/// <summary>Section <c>ConnectionStrings</c>: <c>ConnectionStrings__Postgres</c>, <c>ConnectionStrings__Redis</c>.</summary>
public sealed class ConnectionStringsOptions
{
    public const string SectionName = "ConnectionStrings";

    public string Postgres { get; set; } = "";

    public string Redis { get; set; } = "";
}
