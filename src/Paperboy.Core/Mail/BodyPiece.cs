namespace Paperboy.Core.Mail;

/// <summary>
/// A piece of a message body as a renderer makes it. <paramref name="Shared"/>: the same string (the same instance)
/// goes into many messages of a run (a paper's entry in a digest), so its encoding is made once
/// (<see cref="QuotedPrintable.Encode(IReadOnlyList{BodyPiece})"/>).
/// </summary>
public readonly record struct BodyPiece(string Text, bool Shared = false);
