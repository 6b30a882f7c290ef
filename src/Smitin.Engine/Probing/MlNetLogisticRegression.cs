using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Smitin.Probing;

/// <summary>
/// One binary logistic regression with ML.NET's L-BFGS trainer, set up to minimise scikit-learn's
/// <c>LogisticRegression(C, penalty="l2")</c> objective.
///
/// Why <c>L2Regularization = 1/C</c> (read from ML.NET 5 <c>LbfgsTrainerBase.DifferentiableFunction</c> and
/// <c>LbfgsLogisticRegressionBinaryTrainer.AccumulateOneGradient</c>): ML.NET minimises
/// <c>F(w,b) = (1/n)·[Σᵢ log(1 + exp(-ỹᵢ(w·xᵢ + b))) + (λ/2)·|w|²]</c> — the natural-log loss summed over rows,
/// the L2 term added to the SUM and the whole divided by the example-weight sum n, and the bias (index 0 of its
/// parameter vector) excluded from the penalty. scikit-learn minimises <c>f(w,b) = (1/2)·|w|² + C·Σᵢ log(…)</c>,
/// intercept unpenalised (lbfgs solver). <c>f = C·n·F</c> exactly when <c>λ = 1/C</c>, so both have the same
/// minimiser for any n. L1 is set to 0 (ML.NET's default is L1 = 1, L2 = 1, which would sparsify probes).
/// No normalisation is inserted (ITI does not standardise), the weights start at zero, so the fit is
/// deterministic. Use one instance per thread: <see cref="MLContext"/> is not thread-safe.
/// </summary>
public sealed class MlNetLogisticRegression
{
    readonly MLContext _ctx = new(seed: 0);
    readonly ProbeTrainingOptions _options;

    /// <summary>A solver with the objective of <paramref name="options"/> (L2 = 1/C, L1 = 0).</summary>
    /// <exception cref="SmitinException">an option is out of range</exception>
    public MlNetLogisticRegression(ProbeTrainingOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>One training row of the ML.NET data view.</summary>
    public sealed class Row
    {
        /// <summary>The head's activation z (D).</summary>
        public float[] Features = [];
        /// <summary>True = the segment has the trait.</summary>
        public bool Label;
    }

    /// <summary>Fits on <paramref name="x"/> (N, D) row-major with labels (N). Returns (w (D), b).</summary>
    public (float[] W, float B) Fit(ReadOnlySpan<float> x, ReadOnlySpan<bool> labels, int dim)
    {
        int n = labels.Length;
        if (x.Length != n * dim) throw new ArgumentException($"features: {x.Length} floats, expected N*D = {n}*{dim}");
        int pos = 0;
        var rows = new Row[n];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new Row { Features = x.Slice(i * dim, dim).ToArray(), Label = labels[i] };
            if (labels[i]) pos++;
        }
        if (pos == 0 || pos == n)
            throw new SmitinException($"probe training data has only {(pos == 0 ? "negative" : "positive")} examples ({n} rows): both classes are needed");

        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dim);
        var data = _ctx.Data.LoadFromEnumerable(rows, schema);
        var trainer = _ctx.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = nameof(Row.Features),
            L1Regularization = 0f,
            L2Regularization = (float)(1.0 / _options.C),
            OptimizationTolerance = _options.OptimizationTolerance,
            MaximumNumberOfIterations = _options.MaxIterations,
            NumberOfThreads = 1,
            Quiet = true,
        });
        var model = trainer.Fit(data);
        LinearBinaryModelParameters lin = model.Model.SubModel;
        return (lin.Weights.ToArray(), lin.Bias);
    }
}
