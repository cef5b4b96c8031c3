namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>A fuzz wave broke the protocol; the message lists every way it did.</summary>
public sealed class ProtocolBrokenException(string message) : Exception(message);
