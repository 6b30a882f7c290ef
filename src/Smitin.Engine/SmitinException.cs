namespace Smitin;

/// <summary>A user-facing error: bad input, a wrong file, an unknown option. The message says what and where.</summary>
public class SmitinException : Exception
{
    public SmitinException(string message) : base(message) { }
    public SmitinException(string message, Exception inner) : base(message, inner) { }
}
