using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Probing;

/// <summary>
/// Fits one logistic-regression probe per (layer, head) on the training activations and scores it on the
/// validation activations. With <see cref="ProbeSolver.MlNet"/> heads run in parallel, one ML.NET context per
/// worker; with <see cref="ProbeSolver.Newton"/> heads are batched through <see cref="NewtonLogisticRegression"/>.
/// </summary>
public static class ProbeFitter
{
    const int NewtonChunk = 64; // heads per batched Newton solve: (64, N, D+1) float64 stays small

    /// <summary>Fits and scores one probe per head.</summary>
    /// <param name="train">(N, L, H, D) training activations with labels</param>
    /// <param name="validation">held-out activations of the same shape</param>
    /// <param name="options">objective and solver; null = ITI's (C 1, 1000 iterations, ML.NET)</param>
    /// <param name="progress">heads fitted so far</param><param name="cancellationToken">cancels between heads</param>
    /// <exception cref="ArgumentException">the two sets differ in shape</exception>
    /// <exception cref="SmitinException">the training split lacks a class, or an option is out of range</exception>
    public static ProbeFits Fit(ActivationSet train, ActivationSet validation, ProbeTrainingOptions? options = null,
        IProgress<ProbeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new ProbeTrainingOptions();
        options.Validate();
        if (train.Layers != validation.Layers || train.Heads != validation.Heads || train.HeadDim != validation.HeadDim)
            throw new ArgumentException($"train activations ({train.Layers}, {train.Heads}, {train.HeadDim}) and validation activations ({validation.Layers}, {validation.Heads}, {validation.HeadDim}) differ in shape");
        if (train.PositiveCount == 0 || train.NegativeCount == 0)
            throw new SmitinException($"the training split has {train.PositiveCount} segments with the trait and {train.NegativeCount} without: both classes are needed");

        int heads = train.HeadCount, d = train.HeadDim;
        var w = new float[heads * d];
        var b = new float[heads];
        var trainAcc = new float[heads];
        var valAcc = new float[heads];
        var fits = new ProbeFits(train.Layers, train.Heads, d, w, b, trainAcc, valAcc, options.Solver);
        if (options.Solver == ProbeSolver.MlNet) FitMlNet(train, validation, options, fits, progress, cancellationToken);
        else FitNewton(train, validation, options, fits, progress, cancellationToken);
        return fits;
    }

    static void FitMlNet(ActivationSet train, ActivationSet val, ProbeTrainingOptions options, ProbeFits fits,
        IProgress<ProbeProgress>? progress, CancellationToken ct)
    {
        int heads = train.HeadCount, d = train.HeadDim, done = 0;
        var po = new ParallelOptions
        {
            CancellationToken = ct,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
        };
        Parallel.For(0, heads, po,
            () => (solver: new MlNetLogisticRegression(options), tx: new float[train.Count * d], vx: new float[val.Count * d]),
            (i, _, local) =>
            {
                int layer = i / train.Heads, head = i % train.Heads;
                train.CopyHead(layer, head, local.tx);
                var (wi, bi) = local.solver.Fit(local.tx, train.Labels, d);
                Store(fits, i, wi, bi, local.tx, train.Labels, val, local.vx);
                int n = Interlocked.Increment(ref done);
                if (progress is not null && (n == heads || n % Math.Max(1, heads / 100) == 0)) progress.Report(new ProbeProgress("train", n, heads));
                return local;
            },
            _ => { });
    }

    static void FitNewton(ActivationSet train, ActivationSet val, ProbeTrainingOptions options, ProbeFits fits,
        IProgress<ProbeProgress>? progress, CancellationToken ct)
    {
        Native.TorchRuntime.Ensure();
        int heads = train.HeadCount, d = train.HeadDim, n = train.Count;
        var yRow = train.Labels.Select(l => l ? 1.0 : 0.0).ToArray();
        var tx = new float[n * d];
        var vx = new float[val.Count * d];
        for (int start = 0; start < heads; start += NewtonChunk)
        {
            ct.ThrowIfCancellationRequested();
            int count = Math.Min(NewtonChunk, heads - start);
            var xs = new float[count * n * d];
            for (int k = 0; k < count; k++)
                train.CopyHead((start + k) / train.Heads, (start + k) % train.Heads, xs.AsSpan(k * n * d, n * d));
            NewtonLogisticRegression.Result r;
            using (var scope = torch.NewDisposeScope())
            {
                var x = torch.tensor(xs, new long[] { count, n, d });                        // (P, N, D)
                var y = torch.tensor(yRow, new long[] { 1, n }).expand(count, n);            // (P, N)
                r = NewtonLogisticRegression.Fit(x, y, options.C, options.MaxIterations);
            }
            for (int k = 0; k < count; k++)
            {
                var wi = new float[d];
                for (int j = 0; j < d; j++) wi[j] = (float)r.W[k, j];
                xs.AsSpan(k * n * d, n * d).CopyTo(tx);
                Store(fits, start + k, wi, (float)r.B[k], tx, train.Labels, val, vx);
            }
            progress?.Report(new ProbeProgress("train", start + count, heads));
        }
    }

    static void Store(ProbeFits fits, int i, float[] wi, float bi, float[] trainX, bool[] trainY, ActivationSet val, float[] valX)
    {
        int d = fits.HeadDim;
        wi.CopyTo(fits.Weights, i * d);
        fits.Bias[i] = bi;
        fits.TrainAccuracy[i] = ProbeAccuracy.Of(wi, bi, trainX, trainY);
        val.CopyHead(i / fits.Heads, i % fits.Heads, valX);
        fits.ValidationAccuracy[i] = ProbeAccuracy.Of(wi, bi, valX, val.Labels);
    }
}
