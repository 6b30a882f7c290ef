namespace Smitin;

/// <summary>
/// A bad option value, thrown by the option records' <c>Validate</c> (<see cref="Generation.GenerationOptions"/>,
/// <see cref="Steering.SteeringOptions"/>, <see cref="Probing.ProbeSetOptions"/>, <see cref="Data.SegmentOptions"/>, ...).
/// <see cref="Option"/> is the option's name in the shared vocabulary of the command line and the notebook magics
/// (docs/options.md) without the leading dashes, so each front end can name it as its user typed it.
/// </summary>
public sealed class OptionException : SmitinException
{
    /// <param name="option">vocabulary name without dashes, e.g. <c>monitor-heads</c></param>
    /// <param name="problem">what was wrong, e.g. <c>expected >= 1, got 0</c></param>
    public OptionException(string option, string problem) : base(problem.Length > 0 && char.IsDigit(problem[0]) || problem.StartsWith('-') || problem.StartsWith("NaN") || problem.StartsWith("Infinity") || problem.StartsWith("∞")
        ? $"{option} = {problem}" : $"{option}: {problem}")
    {
        Option = option;
        Problem = problem;
    }

    /// <summary>The option's vocabulary name without dashes (<c>duration</c>, <c>top-k</c>, <c>alpha</c>, ...).</summary>
    public string Option { get; }

    /// <summary>The problem without the option name.</summary>
    public string Problem { get; }

    /// <summary>The message as a front end shows it: <c>--option: problem</c>.</summary>
    public string ForCommandLine => "--" + Message;
}
