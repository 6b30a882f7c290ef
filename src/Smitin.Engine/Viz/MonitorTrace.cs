namespace Smitin.Viz;

/// <summary>
/// What the self-monitor saw during one steered generation (SMITIN, paper Fig. 4): per decoder step the outputs
/// p = sigmoid(wᵀz + b) of the monitor probes (the M most accurate heads) on the generated stream, and whether the
/// intervention was applied at that step. The steering code fills it; <see cref="MonitorTraceFigure"/> draws it.
/// </summary>
/// <param name="Name">legend label, e.g. "SMITIN (s = 5)" or "ITI"</param>
/// <param name="Trait">the steered trait, e.g. "drums"</param>
/// <param name="Tau">monitor threshold τ (the gate closes once the median reaches it)</param>
/// <param name="FrameRate">decoder steps per second, for a time axis in seconds (0: the axis shows steps)</param>
/// <param name="Probabilities">[step][monitor head] probe outputs in [0, 1]</param>
/// <param name="Intervened">[step] true where the shift was applied</param>
public sealed record MonitorTrace(string Name, string Trait, double Tau, double FrameRate, float[][] Probabilities, bool[] Intervened)
{
    public int Steps => Probabilities.Length;

    /// <summary>Checks the shapes and ranges; the message names the field and what was expected.</summary>
    public void Validate()
    {
        if (Intervened.Length != Probabilities.Length)
            throw new SmitinException($"monitor trace '{Name}': Intervened has {Intervened.Length} steps, Probabilities has {Probabilities.Length}");
        int heads = Probabilities.Length == 0 ? 0 : Probabilities[0].Length;
        for (int t = 0; t < Probabilities.Length; t++)
        {
            if (Probabilities[t].Length != heads || heads == 0)
                throw new SmitinException($"monitor trace '{Name}': step {t} has {Probabilities[t].Length} probe outputs, expected {Math.Max(heads, 1)}+ and the same count every step");
            foreach (float p in Probabilities[t])
                if (!(p >= 0 && p <= 1))
                    throw new SmitinException($"monitor trace '{Name}': step {t} has probe output {p}, expected a probability in [0, 1]");
        }
        if (!(Tau >= 0 && Tau <= 1)) throw new SmitinException($"monitor trace '{Name}': tau {Tau} is not in [0, 1]");
        if (!(FrameRate >= 0) || double.IsInfinity(FrameRate)) throw new SmitinException($"monitor trace '{Name}': frame rate {FrameRate} must be >= 0");
    }
}
