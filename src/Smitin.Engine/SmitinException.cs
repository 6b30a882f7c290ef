namespace Smitin;

/// <summary>A user-facing error: bad input, a wrong file, an unknown option. The message says what and where.</summary>
public class SmitinException : Exception
{
    /// <summary>An error a user can act on: <paramref name="message"/> names the file, tensor or option and what was
    /// expected.</summary>
    public SmitinException(string message) : base(message) { }
    /// <summary>The same, caused by <paramref name="inner"/>.</summary>
    public SmitinException(string message, Exception inner) : base(message, inner) { }
}
