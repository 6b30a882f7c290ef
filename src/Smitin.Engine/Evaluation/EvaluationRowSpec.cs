using System.Globalization;
using Smitin.Probing;
using Smitin.Steering;

namespace Smitin.Evaluation;

/// <summary>One condition to generate: method, task, text, and the steering options (null = monitor only).</summary>
public sealed record EvaluationRowSpec(string Method, string Task, ProbeDirection? Direction, string? Text, SteeringOptions? Steering)
{
    /// <summary>Steering strength α, null for rows without steering.</summary>
    public double? Alpha => Steering?.Alpha;
    /// <summary>SMITIN's interval s, null for other rows.</summary>
    public int? Every => Steering is { Mode: SteeringMode.Smitin } s ? s.Every : null;
    /// <summary><c>probe</c> or <c>mass-mean</c>, null for rows without probes.</summary>
    public string? DirectionName => Direction is { } d ? ProbeSetOptions.Name(d) : null;
    /// <summary>Row label in the table, e.g. <c>SMITIN (mass-mean) α 5</c>.</summary>
    public string Label => LabelOf(Method, Task, DirectionName, Alpha);

    /// <summary>The rows the issue lists, in table order, for the directions that have a probe set.</summary>
    public static IReadOnlyList<EvaluationRowSpec> Rows(EvaluationOptions o, IReadOnlyCollection<ProbeDirection> directions)
    {
        var rows = new List<EvaluationRowSpec>
        {
            new("none", "add", null, o.BaseText, null),
            new("text", "add", null, o.TextPrompt, null),
        };
        foreach (var d in o.Directions.Where(directions.Contains))
        {
            rows.Add(new("iti", "add", d, o.BaseText, new SteeringOptions { Mode = SteeringMode.Iti, Alpha = o.ItiAlpha, TopKHeads = o.TopKHeads, Direction = d }));
            foreach (double a in o.SmitinAlphas)
                rows.Add(new("smitin", "add", d, o.BaseText, new SteeringOptions { Alpha = a, Every = o.Every, Direction = d }));
            rows.Add(new("smitin+text", "add", d, o.TextPrompt, new SteeringOptions { Alpha = o.CombinedAlpha, Every = o.Every, Direction = d }));
        }
        if (o.ResolvedRemovalPrompts > 0)
        {
            rows.Add(new("none", "remove", null, o.RemovalText, null));
            foreach (var d in o.Directions.Where(directions.Contains))
            {
                rows.Add(new("iti", "remove", d, o.RemovalText, new SteeringOptions { Mode = SteeringMode.Iti, Alpha = o.ItiAlpha, TopKHeads = o.TopKHeads, Action = SteeringAction.Remove, Direction = d }));
                rows.Add(new("smitin", "remove", d, o.RemovalText, new SteeringOptions { Alpha = o.CombinedAlpha, Every = o.Every, Action = SteeringAction.Remove, Direction = d }));
            }
        }
        return rows;
    }

    internal static string LabelOf(string method, string task, string? direction, double? alpha)
    {
        string name = method switch
        {
            "none" => "no control",
            "text" => "text",
            "iti" => "ITI",
            "smitin" => "SMITIN",
            "smitin+text" => "SMITIN + text",
            "real-without" => "real, without (floor)",
            "real-with" => "real, with (ceiling)",
            _ => method,
        };
        var sb = new System.Text.StringBuilder(name);
        if (alpha is { } a) sb.Append(" α ").Append(a.ToString("0.##", CultureInfo.InvariantCulture));
        if (direction is not null) sb.Append(" (").Append(direction).Append(')');
        if (task == "remove") sb.Append(" [remove]");
        return sb.ToString();
    }
}
