using Microsoft.Extensions.Options;
using RawChat.Core.Tickets;

namespace RawChat.Api.Tickets;

/// <summary>The <c>[Range]</c>/<c>[Required]</c> attributes and cross-field rules of <see cref="TicketOptions"/>, generated.</summary>
[OptionsValidator]
internal sealed partial class TicketOptionsValidator : IValidateOptions<TicketOptions>;
