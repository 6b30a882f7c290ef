namespace Smitin.Judging;

/// <summary>
/// How a judge does on a labelled set at its threshold: accuracy, recall (fraction of with-trait clips called present)
/// and false-alarm rate (fraction of without-trait clips called present), with the counts they come from.
/// </summary>
public sealed record JudgeScores(int Positives, int Negatives, double Accuracy, double Recall, double FalseAlarmRate,
                                 double MeanProbabilityPositive, double MeanProbabilityNegative)
{
    /// <summary>Clips scored.</summary>
    public int N => Positives + Negatives;

    /// <summary>Scores of probabilities against labels; a clip is called present when p ≥ <paramref name="threshold"/>.</summary>
    /// <exception cref="ArgumentException">Lengths differ or a class is missing.</exception>
    public static JudgeScores From(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, double threshold)
    {
        if (probabilities.Count != labels.Count) throw new ArgumentException($"{probabilities.Count} probabilities for {labels.Count} labels");
        int pos = 0, neg = 0, tp = 0, fp = 0;
        double sumPos = 0, sumNeg = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            bool called = probabilities[i] >= threshold;
            if (labels[i]) { pos++; sumPos += probabilities[i]; if (called) tp++; }
            else { neg++; sumNeg += probabilities[i]; if (called) fp++; }
        }
        if (pos == 0 || neg == 0) throw new ArgumentException($"scores need both classes; got {pos} positive and {neg} negative clips");
        return new JudgeScores(pos, neg, (double)(tp + neg - fp) / (pos + neg), (double)tp / pos, (double)fp / neg, sumPos / pos, sumNeg / neg);
    }

    /// <summary><c>accuracy .., recall .., false alarms .. (n = ..)</c>, one line.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"accuracy {Accuracy:P1}, recall {Recall:P1}, false alarms {FalseAlarmRate:P1} (n = {N}: {Positives} with, {Negatives} without; mean p {MeanProbabilityPositive:F2} / {MeanProbabilityNegative:F2})");
}
