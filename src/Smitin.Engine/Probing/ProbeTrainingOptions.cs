namespace Smitin.Probing;

/// <summary>Which optimiser fits the per-head logistic regressions (both minimise the same objective).</summary>
public enum ProbeSolver
{
    /// <summary>ML.NET <c>LbfgsLogisticRegression</c>, float32, one head per thread (default; fast on CPU).</summary>
    MlNet,
    /// <summary>Newton/IRLS in TorchSharp float64, all heads batched; the independent reference solver.</summary>
    Newton,
}

/// <summary>
/// How one probe per (layer, head) is fitted. The objective is scikit-learn's
/// <c>LogisticRegression(penalty="l2", C=C, fit_intercept=True)</c> on raw (unstandardised) activations, as used by
/// ITI (<c>max_iter=1000</c>): <c>0.5·|w|² + C·Σ log(1 + exp(-ỹ(w·z + b)))</c>, the intercept not penalised.
/// </summary>
public sealed record ProbeTrainingOptions
{
    /// <summary>Inverse regularisation strength (scikit-learn's C). Default 1, as ITI.</summary>
    public double C { get; init; } = 1.0;
    /// <summary>Iteration cap (scikit-learn's <c>max_iter</c>; ML.NET <c>MaximumNumberOfIterations</c>). Default 1000.</summary>
    public int MaxIterations { get; init; } = 1000;
    /// <summary>
    /// ML.NET's convergence threshold: L-BFGS stops when the mean relative objective improvement over the last 5
    /// iterations falls below it. ML.NET's default 1e-7 is already at float32 resolution of the objective, so it is kept.
    /// </summary>
    public float OptimizationTolerance { get; init; } = 1e-7f;
    /// <summary>The solver (ML.NET L-BFGS by default; Newton/IRLS as the reference).</summary>
    public ProbeSolver Solver { get; init; } = ProbeSolver.MlNet;
    /// <summary>Heads trained at once (one ML.NET context per worker). Default: processor count.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    internal void Validate()
    {
        if (!(C > 0) || double.IsInfinity(C)) throw new SmitinException($"probe option C = {C}: expected a positive finite number");
        if (MaxIterations <= 0) throw new SmitinException($"probe option MaxIterations = {MaxIterations}: expected > 0");
        if (!(OptimizationTolerance > 0)) throw new SmitinException($"probe option OptimizationTolerance = {OptimizationTolerance}: expected > 0");
        if (MaxDegreeOfParallelism is <= 0) throw new SmitinException($"probe option MaxDegreeOfParallelism = {MaxDegreeOfParallelism}: expected > 0");
    }
}
